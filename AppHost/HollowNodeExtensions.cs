using System.Diagnostics;
using System.Globalization;
using KubeMesh.Api.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KubeMesh.AppHost;

/// <summary>
/// Hollow nodes (kubemark's): Cluster:HollowNodes node agents with the real kubelet's registration, heartbeats, pod
/// workers and status, over a runtime that starts nothing, in processes of up to Cluster:HollowNodesPerProcess nodes
/// each (hollow-nodes-1, -2, ...). They carry the label and NoSchedule taint kubemesh.io/hollow=true, so workloads stay
/// on the real nodes unless they tolerate it, and take their pod ranges from Cluster:HollowPodNetwork. With
/// Cluster:Tls every hollow node is a node of its own to the api-servers, as each kubemark hollow node is: the AppHost
/// issues it a client certificate for system:node:NAME in system:nodes (pki/hollow-nodes/NAME.crt) and a kubeconfig
/// (kubeconfigs/hollow-nodes/NAME.conf), so the Node authorizer and NodeRestriction apply to it as to a real kubelet.
/// </summary>
public static class HollowNodeExtensions
{
    /// <summary>Hollow node n is named NamePrefix + n (the hollow kubelet's Kubelet:Hollow:NamePrefix).</summary>
    public const string NamePrefix = "hollow-node-";

    /// <summary>The Aspire resources of hollow-node processes are named ResourcePrefix + n.</summary>
    public const string ResourcePrefix = "hollow-nodes-";

    public static void AddHollowNodes(this IDistributedApplicationBuilder builder, ClusterOptions cluster, IResourceBuilder<ProjectResource> apiServer, string dataDirectory)
    {
        if (cluster.HollowNodes <= 0)
        {
            return;
        }

        var kubeconfigs = Path.Combine(dataDirectory, "kubeconfigs", "hollow-nodes");
        if (cluster.Tls)
        {
            // At start, not while the model is built: reading the model (tests, manifests) issues nothing.
            builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
            {
                var elapsed = Stopwatch.StartNew();
                var issued = IssueNodeCredentials(cluster, dataDirectory, kubeconfigs);
                e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("KubeMesh.AppHost")
                    .LogInformation("Hollow nodes: {Count} node credentials ready in {Seconds:F1} s ({Issued} issued)", cluster.HollowNodes, elapsed.Elapsed.TotalSeconds, issued);
                return Task.CompletedTask;
            });
        }

        var perProcess = Math.Max(1, cluster.HollowNodesPerProcess);
        for (var (first, process) = (1, 1); first <= cluster.HollowNodes; first += perProcess, process++)
        {
            var count = Math.Min(perProcess, cluster.HollowNodes - first + 1);
            var resource = builder.AddProject<Projects.Kubelet>(ResourcePrefix + process.ToString(CultureInfo.InvariantCulture), ControlPlaneExtensions.ComponentOptions)
                .WithEnvironment("Kubelet__Hollow__Nodes", count.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("Kubelet__Hollow__FirstIndex", first.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("Kubelet__Hollow__NamePrefix", NamePrefix)
                .WithEnvironment("Kubelet__Hollow__PodNetwork", cluster.HollowPodNetwork)
                .WithEnvironment("Kubelet__StateDirectory", Path.Combine(dataDirectory, "hollow-nodes"))
                .WithEnvironment("Kubelet__ClusterDns", cluster.DnsAddress)
                .WithEnvironment("Kubelet__NodeLeaseRenewInterval", cluster.NodeLeaseRenewInterval.ToString("c", CultureInfo.InvariantCulture))
                .WithEnvironment("ApiServer__Address", cluster.ApiServerAddress)
                .WaitFor(apiServer);
            if (cluster.Tls)
            {
                resource.WithEnvironment("Kubelet__Hollow__KubeconfigDirectory", kubeconfigs);
            }
        }
    }

    /// <summary>
    /// Each hollow node's client certificate (ECDSA P-256, from the cluster CA; kept while it fits and is far from
    /// expiry) and the kubeconfig naming it; returns how many certificates were issued now.
    /// </summary>
    public static int IssueNodeCredentials(ClusterOptions cluster, string dataDirectory, string kubeconfigDirectory)
    {
        using var pki = ClusterPki.Open(Path.Combine(dataDirectory, "pki"));
        Directory.CreateDirectory(kubeconfigDirectory);
        var issued = 0;
        for (var index = 1; index <= cluster.HollowNodes; index++)
        {
            var name = NamePrefix + index.ToString(CultureInfo.InvariantCulture);
            var certificate = Path.Combine(pki.Directory, "hollow-nodes", name + ".crt");
            var before = File.Exists(certificate) ? File.GetLastWriteTimeUtc(certificate) : DateTime.MinValue;
            var credentials = pki.Ensure("hollow-nodes/" + name, CertificateProfile.Client("system:node:" + name, "system:nodes"));
            if (File.GetLastWriteTimeUtc(certificate) != before)
            {
                issued++;
            }

            var kubeconfig = Path.Combine(kubeconfigDirectory, name + ".conf");
            var text = KubeconfigExtensions.Render(kubeconfig, cluster.ApiServerRestUrl, cluster.ApiServerAddress, credentials);
            if (!File.Exists(kubeconfig) || File.ReadAllText(kubeconfig) != text)
            {
                PrivateFiles.Write(kubeconfig, text);
            }
        }

        return issued;
    }
}
