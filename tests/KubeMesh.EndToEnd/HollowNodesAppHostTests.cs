using Aspire.Hosting.ApplicationModel;

namespace KubeMesh.EndToEnd;

/// <summary>Cluster:HollowNodes adds that many hollow nodes to the AppHost, Cluster:HollowNodesPerProcess to a process.</summary>
public sealed class HollowNodesAppHostTests
{
    [Fact]
    public async Task HollowNodes_AreSplitIntoProcesses_NumberedWithoutGapsOrOverlap()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var data = new ModelDataDirectory();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            data.Args("--Cluster:StoreMode=embedded", "--Cluster:HollowNodes=2500", "--Cluster:HollowNodesPerProcess=1000", "--Cluster:HollowPodNetwork=127.160.0.0/11"), cts.Token);

        var hollow = new List<(string Name, int First, int Count, string Network)>();
        foreach (var project in builder.Resources.OfType<ProjectResource>().Where(p => p.Name.StartsWith("hollow-nodes-", StringComparison.Ordinal)))
        {
            var environment = await AppHostModel.EnvironmentAsync(project, cts.Token);
            hollow.Add((project.Name, int.Parse((string)environment["Kubelet__Hollow__FirstIndex"], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse((string)environment["Kubelet__Hollow__Nodes"], System.Globalization.CultureInfo.InvariantCulture), (string)environment["Kubelet__Hollow__PodNetwork"]));
        }

        Assert.Equal(
            [("hollow-nodes-1", 1, 1000, "127.160.0.0/11"), ("hollow-nodes-2", 1001, 1000, "127.160.0.0/11"), ("hollow-nodes-3", 2001, 500, "127.160.0.0/11")],
            hollow.OrderBy(h => h.First));
        // The real nodes stay as they are.
        Assert.Equal(["kubelet-node1", "kubelet-node2", "kubelet-node3"], builder.Resources.OfType<ProjectResource>().Select(r => r.Name).Where(n => n.StartsWith("kubelet-", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public async Task HollowNodes_ByDefault_AddNoProcess()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var data = new ModelDataDirectory();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(data.Args("--Cluster:StoreMode=embedded"), cts.Token);

        Assert.DoesNotContain(builder.Resources, r => r.Name.StartsWith("hollow-nodes", StringComparison.Ordinal));
    }
}
