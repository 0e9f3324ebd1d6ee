using System.Text;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// A pod's resolver settings, written to its /etc/resolv.conf (the kubelet's dnsConfigurer). ClusterFirst
/// points at the cluster DNS and searches the pod's namespace first, so "ex-svc" resolves to
/// "ex-svc.&lt;ns&gt;.svc.cluster.local"; ndots:5 makes such short names try the search list before the root.
/// </summary>
public sealed record PodDnsConfig(IReadOnlyList<string> Nameservers, IReadOnlyList<string> Searches, IReadOnlyList<string> Options)
{
    public static PodDnsConfig ClusterFirst(string clusterDns, string @namespace, string clusterDomain) => new(
        [clusterDns],
        [$"{@namespace}.svc.{clusterDomain}", $"svc.{clusterDomain}", clusterDomain],
        ["ndots:5"]);

    public string ToResolvConf()
    {
        var text = new StringBuilder();
        foreach (var nameserver in Nameservers)
        {
            text.Append("nameserver ").Append(nameserver).Append('\n');
        }

        if (Searches.Count > 0)
        {
            text.Append("search ").AppendJoin(' ', Searches).Append('\n');
        }

        if (Options.Count > 0)
        {
            text.Append("options ").AppendJoin(' ', Options).Append('\n');
        }

        return text.ToString();
    }
}
