using Grpc.Core;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;

namespace KubeMesh.ApiServer.Tests.Validation;

/// <summary>
/// Bad input is refused with INVALID_ARGUMENT naming the field path, and changes nothing. These exercise the
/// api-server's validation and manifest decoding through the gRPC API; run just them with
/// `dotnet test tests/ApiServer.Tests --filter Category=Validation`.
/// </summary>
[Trait("Category", "Validation")]
public sealed class ValidationApiTests(ApiServerFixture fixture) : ApiTestBase(fixture), IClassFixture<ApiServerFixture>
{
    [SkippableFact]
    public async Task Create_PodWithoutImage_IsInvalidNamingTheFieldAndStoresNothing()
    {
        var pod = NewPod(Ns, "no-image");
        pod.Spec.Containers[0].Image = "";

        var failure = await FailureOfAsync(() => Api.Pods.CreateAsync(pod, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        Assert.Contains("spec.containers[0].image", failure.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await Api.Pods.ListAsync(new ListRequest { Namespace = Ns }, deadline: Deadline)).Items);
    }

    [SkippableTheory]
    [InlineData("Bad_Name", "", "metadata.name")]
    [InlineData("ok", "bad value!", "metadata.labels")]
    public async Task Create_BadNameOrLabel_IsInvalidNamingTheField(string name, string labelValue, string path)
    {
        var map = NewConfigMap(Ns, name, ("app", labelValue));

        var failure = await FailureOfAsync(() => Api.ConfigMaps.CreateAsync(map, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        Assert.Contains(path, failure.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns }, deadline: Deadline)).Items);
    }

    [SkippableFact]
    public async Task Update_InvalidChange_IsRejectedAndChangesNothing()
    {
        var created = await Api.Pods.CreateAsync(NewPod(Ns, "valid"), deadline: Deadline);
        var broken = created.Clone();
        broken.Spec.Containers[0].Image = "";

        var failure = await FailureOfAsync(() => Api.Pods.UpdateAsync(broken, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        Assert.Contains("spec.containers[0].image", failure.Status.Detail, StringComparison.Ordinal);
        var stored = await Api.Pods.GetAsync(new GetRequest { Namespace = Ns, Name = "valid" }, deadline: Deadline);
        Assert.Equal(created.Metadata.ResourceVersion, stored.Metadata.ResourceVersion);
        Assert.Equal("nginx:1.14.2", stored.Spec.Containers[0].Image);
    }

    [SkippableTheory]
    [InlineData("bad-names-and-values.yaml", "metadata.name|spec.replicas|spec.template.metadata.labels|spec.template.spec.containers[0].resources.limits")]
    [InlineData("downward-volume-misindented.yaml", "spec.downwardAPI")]
    [InlineData("envfrom-wrong-shape.yaml", "spec.containers[0].envFrom[0]")]
    [InlineData("job-backofflimit-misplaced.yaml", "spec.template.backoffLimit")]
    public async Task Apply_MalformedManifest_IsInvalidNamingEveryFieldAndStoresNothing(string file, string paths)
    {
        var manifest = TestManifests.Read("malformed", file);

        var failure = await FailureOfAsync(() => Api.Manifests.ApplyAsync(new ApplyRequest { Manifest = manifest, Namespace = Ns }, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        foreach (var path in paths.Split('|'))
        {
            Assert.Contains(path, failure.Status.Detail, StringComparison.Ordinal);
        }

        await AssertNamespaceEmptyAsync();
    }

    [SkippableFact]
    public async Task Apply_OneInvalidDocument_WritesNoneOfTheOthers()
    {
        var manifest = $"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: fine
            data:
              k: v
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: broken
            spec:
              containers:
              - name: c
            """;

        var failure = await FailureOfAsync(() => Api.Manifests.ApplyAsync(new ApplyRequest { Manifest = manifest, Namespace = Ns }, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        Assert.Contains("spec.containers[0].image", failure.Status.Detail, StringComparison.Ordinal);
        await AssertNamespaceEmptyAsync();
    }

    [SkippableFact]
    public async Task Apply_Manifest01_CreatesThePodWithItsLabels()
    {
        var manifest = TestManifests.Read("seed", "01-pod-nginx.yaml");

        var response = await Api.Manifests.ApplyAsync(new ApplyRequest { Manifest = manifest, Namespace = Ns }, deadline: Deadline);

        Assert.Equal("created", Assert.Single(response.Results).Action);
        var pod = await Api.Pods.GetAsync(new GetRequest { Namespace = Ns, Name = "nginx" }, deadline: Deadline);
        Assert.Equal("nginx", pod.Metadata.Labels["run"]);
        Assert.Equal(80, pod.Spec.Containers[0].Ports[0].ContainerPort_);
    }

    private async Task AssertNamespaceEmptyAsync()
    {
        var request = new ListRequest { Namespace = Ns };
        Assert.Empty((await Api.Pods.ListAsync(request, deadline: Deadline)).Items);
        Assert.Empty((await Api.ConfigMaps.ListAsync(request, deadline: Deadline)).Items);
        Assert.Empty((await new DeploymentService.DeploymentServiceClient(Api.Channel).ListAsync(request, deadline: Deadline)).Items);
        Assert.Empty((await new JobService.JobServiceClient(Api.Channel).ListAsync(request, deadline: Deadline)).Items);
    }
}
