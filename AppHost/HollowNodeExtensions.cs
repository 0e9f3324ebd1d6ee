using System.Globalization;

namespace KubeMesh.AppHost;

/// <summary>
/// Hollow nodes (kubemark's): Cluster:HollowNodes node agents with the real kubelet's registration, heartbeats, pod
/// workers and status, over a runtime that starts nothing, in processes of up to Cluster:HollowNodesPerProcess nodes
/// each (hollow-nodes-1, -2, ...). They carry the label and NoSchedule taint kubemesh.io/hollow=true, so workloads stay
/// on the real nodes unless they tolerate it, and take their pod ranges from Cluster:HollowPodNetwork.
/// </summary>
public static class HollowNodeExtensions
{
    public static void AddHollowNodes(this IDistributedApplicationBuilder builder, ClusterOptions cluster, IResourceBuilder<ProjectResource> apiServer, string dataDirectory)
    {
        if (cluster.HollowNodes <= 0)
        {
            return;
        }

        var perProcess = Math.Max(1, cluster.HollowNodesPerProcess);
        var apiServerUrl = $"http://127.0.0.1:{cluster.ApiServerPort}";
        for (var (first, process) = (1, 1); first <= cluster.HollowNodes; first += perProcess, process++)
        {
            var count = Math.Min(perProcess, cluster.HollowNodes - first + 1);
            builder.AddProject<Projects.Kubelet>("hollow-nodes-" + process.ToString(CultureInfo.InvariantCulture), ControlPlaneExtensions.ComponentOptions)
                .WithEnvironment("Kubelet__Hollow__Nodes", count.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("Kubelet__Hollow__FirstIndex", first.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("Kubelet__Hollow__PodNetwork", cluster.HollowPodNetwork)
                .WithEnvironment("Kubelet__StateDirectory", Path.Combine(dataDirectory, "hollow-nodes"))
                .WithEnvironment("Kubelet__ClusterDns", cluster.DnsAddress)
                .WithEnvironment("Kubelet__NodeLeaseRenewInterval", cluster.NodeLeaseRenewInterval.ToString("c", CultureInfo.InvariantCulture))
                .WithEnvironment("ApiServer__Address", apiServerUrl)
                .WaitFor(apiServer);
        }
    }
}
