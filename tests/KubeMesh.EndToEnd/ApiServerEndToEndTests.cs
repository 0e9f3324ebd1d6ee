using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.EndToEnd;

[Collection(ClusterCollection.Name)]
public sealed class ApiServerEndToEndTests(ClusterFixture cluster)
{
    [Fact]
    public async Task AppHost_Started_ServesTheSystemNamespaces()
    {
        var namespaces = await cluster.Client.For<Namespace>().ListAsync(new ListRequest());

        // Only the system namespaces: on the shared cluster other tests' namespaces may be terminating meanwhile.
        var system = namespaces.Items.Where(n => n.Metadata.Name is "default" or "kube-system" or "kube-public" or "kube-node-lease").ToList();
        Assert.Equal(["default", "kube-node-lease", "kube-public", "kube-system"], system.Select(n => n.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.All(system, n => Assert.Equal("Active", n.Status.Phase));
    }

    [Fact]
    public async Task KmctlApply_PodManifest_StoredWithUidAndResourceVersion()
    {
        var (code, output, error) = await Kmctl.RunAsync(cluster.Kubeconfig, "apply", "-f", Kmctl.Manifest("seed/01-pod-nginx.yaml"));

        Assert.True(code == 0, error);
        Assert.Contains("pod/nginx", output);
        var pod = await cluster.Client.For<Pod>().GetAsync("default", "nginx");
        Assert.NotEmpty(pod.Metadata.Uid);
        Assert.NotEmpty(pod.Metadata.ResourceVersion);
        Assert.Equal("nginx", pod.Metadata.Labels["run"]);
    }

    [Theory]
    [InlineData("bad-names-and-values.yaml", "spec.replicas")]
    [InlineData("downward-volume-misindented.yaml", "spec.downwardAPI")]
    [InlineData("envfrom-wrong-shape.yaml", "spec.containers[0].envFrom[0].name")]
    [InlineData("job-backofflimit-misplaced.yaml", "spec.template.backoffLimit")]
    public async Task KmctlApply_MalformedManifest_RefusedWithFieldPathAndNothingStored(string file, string path)
    {
        var (code, _, error) = await Kmctl.RunAsync(cluster.Kubeconfig, "apply", "-f", Kmctl.Manifest("malformed/" + file));

        Assert.NotEqual(0, code);
        Assert.Contains(path, error);
        var (_, listed, _) = await Kmctl.RunAsync(cluster.Kubeconfig, "get", "pods,deployments,jobs", "-o", "name");
        Assert.DoesNotContain("downward-wrong", listed);
        Assert.DoesNotContain("envfrom-wrong", listed);
        Assert.DoesNotContain("Bad_Name", listed);
    }
}
