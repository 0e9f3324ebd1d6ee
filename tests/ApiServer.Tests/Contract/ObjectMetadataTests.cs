using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;

namespace KubeMesh.ApiServer.Tests.Contract;

/// <summary>What the api-server owns in every object's metadata, and the namespace and binding rules.</summary>
public abstract class ObjectMetadataTests(ApiServerFixture fixture) : ApiTestBase(fixture)
{
    [SkippableFact]
    public async Task Create_Pod_FillsServerOwnedMetadata()
    {
        var request = NewPod(Ns, "meta");
        request.Metadata.Uid = "client-chosen";
        request.Metadata.ResourceVersion = "999999";
        request.Metadata.Generation = 42;

        var created = await Api.Pods.CreateAsync(request, deadline: Deadline);
        var fetched = await Api.Pods.GetAsync(new GetRequest { Namespace = Ns, Name = "meta" }, deadline: Deadline);

        Assert.True(Guid.TryParse(created.Metadata.Uid, out _), $"uid \"{created.Metadata.Uid}\" is not a UUID");
        Assert.NotEqual("999999", created.Metadata.ResourceVersion);
        Assert.True(long.Parse(created.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(1, created.Metadata.Generation);
        Assert.InRange(created.Metadata.CreationTimestamp.ToDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Null(created.Metadata.DeletionTimestamp);
        Assert.Equal(("v1", "Pod"), (fetched.ApiVersion, fetched.Kind));
        Assert.Equal(created.Metadata, fetched.Metadata);
    }

    [SkippableFact]
    public async Task Create_GenerateName_AddsRandomSuffix()
    {
        var request = NewPod(Ns, "");
        request.Metadata.GenerateName = "web-";

        var first = await Api.Pods.CreateAsync(request, deadline: Deadline);
        var second = await Api.Pods.CreateAsync(request, deadline: Deadline);

        Assert.Matches("^web-[a-z0-9]{5}$", first.Metadata.Name);
        Assert.NotEqual(first.Metadata.Name, second.Metadata.Name);
        Assert.Equal("web-", first.Metadata.GenerateName);
        await Api.Pods.GetAsync(new GetRequest { Namespace = Ns, Name = first.Metadata.Name }, deadline: Deadline);
    }

    [SkippableFact]
    public async Task Update_OnlySpecChangesBumpGeneration()
    {
        var pod = await Api.Pods.CreateAsync(NewPod(Ns, "gen"), deadline: Deadline);

        pod.Metadata.Labels["tier"] = "front";
        pod.Metadata.Annotations["note"] = "labels and annotations are metadata";
        var labelled = await Api.Pods.UpdateAsync(pod, deadline: Deadline);
        labelled.Status.Phase = "Running";
        var running = await Api.Pods.UpdateStatusAsync(labelled, deadline: Deadline);
        running.Spec.Containers[0].Image = "nginx:1.25";
        var respecced = await Api.Pods.UpdateAsync(running, deadline: Deadline);

        Assert.Equal(1, labelled.Metadata.Generation);
        Assert.Equal(1, running.Metadata.Generation);
        Assert.Equal("Running", running.Status.Phase);
        Assert.Equal(2, respecced.Metadata.Generation);
        Assert.Equal("Running", respecced.Status.Phase);
        Assert.Equal(pod.Metadata.Uid, respecced.Metadata.Uid);
        Assert.Equal(pod.Metadata.CreationTimestamp, respecced.Metadata.CreationTimestamp);
    }

    [SkippableFact]
    public async Task Update_StatusThroughUpdate_IsIgnored()
    {
        var pod = await Api.Pods.CreateAsync(NewPod(Ns, "status"), deadline: Deadline);
        pod.Status.Phase = "Running";
        pod.Metadata.Labels["touched"] = "yes";

        var updated = await Api.Pods.UpdateAsync(pod, deadline: Deadline);

        Assert.Equal("Pending", updated.Status.Phase);
        Assert.Equal("yes", updated.Metadata.Labels["touched"]);
    }

    [SkippableFact]
    public async Task Delete_WithFinalizer_MarksUntilTheLastFinalizerIsRemoved()
    {
        var map = NewConfigMap(Ns, "final");
        map.Metadata.Finalizers.Add("example.com/first");
        map.Metadata.Finalizers.Add("example.com/second");
        await Api.ConfigMaps.CreateAsync(map, deadline: Deadline);

        var marked = await Api.ConfigMaps.DeleteAsync(new DeleteRequest { Namespace = Ns, Name = "final" }, deadline: Deadline);
        Assert.NotNull(marked.Metadata.DeletionTimestamp);
        var stillThere = await Api.ConfigMaps.GetAsync(new GetRequest { Namespace = Ns, Name = "final" }, deadline: Deadline);
        Assert.Equal(marked.Metadata.DeletionTimestamp, stillThere.Metadata.DeletionTimestamp);

        stillThere.Metadata.Finalizers.Remove("example.com/first");
        var oneLeft = await Api.ConfigMaps.UpdateAsync(stillThere, deadline: Deadline);
        Assert.Equal(["example.com/second"], oneLeft.Metadata.Finalizers);
        await Api.ConfigMaps.GetAsync(new GetRequest { Namespace = Ns, Name = "final" }, deadline: Deadline);

        oneLeft.Metadata.Finalizers.Clear();
        await Api.ConfigMaps.UpdateAsync(oneLeft, deadline: Deadline);
        Assert.Equal(StatusCode.NotFound, await CodeOfAsync(() => Api.ConfigMaps.GetAsync(new GetRequest { Namespace = Ns, Name = "final" }, deadline: Deadline).ResponseAsync));
    }

    [SkippableFact]
    public async Task Delete_WithoutFinalizers_RemovesAtOnce()
    {
        await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "gone"), deadline: Deadline);

        await Api.ConfigMaps.DeleteAsync(new DeleteRequest { Namespace = Ns, Name = "gone" }, deadline: Deadline);

        Assert.Equal(StatusCode.NotFound, await CodeOfAsync(() => Api.ConfigMaps.GetAsync(new GetRequest { Namespace = Ns, Name = "gone" }, deadline: Deadline).ResponseAsync));
        Assert.Equal(StatusCode.NotFound, await CodeOfAsync(() => Api.ConfigMaps.DeleteAsync(new DeleteRequest { Namespace = Ns, Name = "gone" }, deadline: Deadline).ResponseAsync));
    }

    [SkippableTheory]
    [InlineData("default")]
    [InlineData("kube-system")]
    public async Task Namespaces_SystemNamespace_ExistsFromTheStart(string name)
    {
        var ns = await Api.Namespaces.GetAsync(new GetRequest { Name = name }, deadline: Deadline);

        Assert.Equal(name, ns.Metadata.Name);
        Assert.NotEmpty(ns.Metadata.Uid);
    }

    [SkippableFact]
    public async Task Create_UnknownNamespace_IsNotFoundAndStoresNothing()
    {
        var missing = "missing-" + Ns;

        var failure = await FailureOfAsync(() => Api.ConfigMaps.CreateAsync(NewConfigMap(missing, "orphan"), deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, failure.StatusCode);
        Assert.Contains(missing, failure.Status.Detail, StringComparison.Ordinal);
        var all = await Api.ConfigMaps.ListAsync(new ListRequest { FieldSelector = "metadata.name=orphan" }, deadline: Deadline);
        Assert.DoesNotContain(all.Items, m => m.Metadata.Namespace == missing);
    }

    [SkippableFact]
    public async Task Create_WithoutNamespace_LandsInDefault()
    {
        var name = "ns-less-" + Ns;
        var map = NewConfigMap("", name);

        var created = await Api.ConfigMaps.CreateAsync(map, deadline: Deadline);

        Assert.Equal("default", created.Metadata.Namespace);
        await Api.ConfigMaps.DeleteAsync(new DeleteRequest { Namespace = "default", Name = name }, deadline: Deadline);
    }

    [SkippableFact]
    public async Task Bind_UnscheduledPod_SetsNodeNameOnceAndSecondBindIsAborted()
    {
        await Api.Pods.CreateAsync(NewPod(Ns, "bound"), deadline: Deadline);
        var binding = new Binding { Metadata = new ObjectMeta { Namespace = Ns, Name = "bound" }, Target = new ObjectReference { Kind = "Node", Name = "node-1" } };

        var bound = await Api.Pods.BindAsync(binding, deadline: Deadline);
        binding.Target.Name = "node-2";
        var second = await FailureOfAsync(() => Api.Pods.BindAsync(binding, deadline: Deadline).ResponseAsync);

        Assert.Equal("node-1", bound.Spec.NodeName);
        Assert.Contains(bound.Status.Conditions, c => c.Type == "PodScheduled" && c.Status == "True");
        Assert.Equal(StatusCode.Aborted, second.StatusCode);
        var stored = await Api.Pods.GetAsync(new GetRequest { Namespace = Ns, Name = "bound" }, deadline: Deadline);
        Assert.Equal("node-1", stored.Spec.NodeName);
        Assert.Equal(bound.Metadata.ResourceVersion, stored.Metadata.ResourceVersion);
    }
}

public sealed class RedisObjectMetadataTests(ApiServerFixture fixture) : ObjectMetadataTests(fixture), IClassFixture<ApiServerFixture>;

public sealed class GarnetObjectMetadataTests(GarnetFixture fixture) : ObjectMetadataTests(fixture), IClassFixture<GarnetFixture>;
