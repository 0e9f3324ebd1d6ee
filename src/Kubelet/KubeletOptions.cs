using System.Net;
using KubeMesh.Kubelet.Runtime;
using KubeMesh.Kubelet.Runtime.Cgroups;

namespace KubeMesh.Kubelet;

/// <summary>The node agent's settings, from the configuration section "Kubelet" (kubelet's flags and KubeletConfiguration).</summary>
public sealed class KubeletOptions
{
    public const string Section = "Kubelet";

    /// <summary>The Node object's name (kubelet's --hostname-override).</summary>
    public string NodeName { get; set; } = "node-1";

    /// <summary>The node's ordinal n: its pod range defaults to 127.10.n.0/24 and its address to 127.10.n.1.</summary>
    public int NodeIndex { get; set; } = -1;

    /// <summary>The kubelet's gRPC port (logs), published as status.daemonEndpoints.kubeletEndpoint.port.</summary>
    public int Port { get; set; } = 10250;

    /// <summary>The node's InternalIP, where the kubelet listens; defaults to the first address of the pod range.</summary>
    public string? Address { get; set; }

    public string StateDirectory { get; set; } = "/var/lib/kubemesh/kubelet";

    /// <summary>spec.podCIDR; defaults to PodIpRange.ForNode(NodeIndex).</summary>
    public string? PodCidr { get; set; }

    /// <summary>Capacity cpu; defaults to the machine's cores.</summary>
    public string? Cpu { get; set; }

    /// <summary>Capacity memory; defaults to the machine's memory.</summary>
    public string? Memory { get; set; }

    public int MaxPods { get; set; } = 110;

    /// <summary>Labels the node registers with, "key=value,..." (kubelet's --node-labels).</summary>
    public string? NodeLabels { get; set; }

    /// <summary>Taints the node registers with, "key=value:Effect,..." (kubelet's --register-with-taints).</summary>
    public string? RegisterWithTaints { get; set; }

    /// <summary>How often the node Lease is renewed (kubelet: 10 s; the lease lasts 40 s).</summary>
    public TimeSpan NodeLeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(10);

    public int NodeLeaseDurationSeconds { get; set; } = 40;

    /// <summary>How often the Node's status (Ready heartbeat) is posted when nothing changed (nodeStatusReportFrequency).</summary>
    public TimeSpan NodeStatusReportFrequency { get; set; } = TimeSpan.FromSeconds(40);

    /// <summary>
    /// Where persistentVolumeClaim volumes live, one directory per claim (namespace/name), shared by every node of
    /// this machine so a claim's data outlives its pods and follows it to any node; defaults to &lt;StateDirectory&gt;/../volumes.
    /// </summary>
    public string? VolumeRoot { get; set; }

    /// <summary>The cluster DNS address pods resolve through (kubelet's --cluster-dns).</summary>
    public string ClusterDns { get; set; } = "127.0.0.10";

    /// <summary>The cluster domain searched by pods (kubelet's --cluster-domain).</summary>
    public string ClusterDomain { get; set; } = "cluster.local";

    /// <summary>How container resource limits are enforced (Auto: cgroup v2, else v1, else the memory watch; None forces the watch).</summary>
    public CgroupMode Cgroups { get; set; } = CgroupMode.Auto;

    public TimeSpan BackOffInitial { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan BackOffMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The node ordinal: NodeIndex, else the number at the end of NodeName (node-3 is 3), else 1.</summary>
    public int ResolveNodeIndex()
    {
        if (NodeIndex >= 0)
        {
            return NodeIndex;
        }

        var digits = new string(NodeName.Reverse().TakeWhile(char.IsAsciiDigit).Reverse().ToArray());
        return int.TryParse(digits, out var n) && n is >= 0 and <= 255 ? n : 1;
    }

    public string ResolveVolumeRoot() =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(VolumeRoot) ? Path.Combine(StateDirectory, "..", "volumes") : VolumeRoot);

    public PodIpRange ResolvePodRange() =>
        string.IsNullOrWhiteSpace(PodCidr) ? PodIpRange.ForNode(ResolveNodeIndex()) : PodIpRange.Parse(PodCidr);

    /// <summary>The address the kubelet listens on and publishes as InternalIP: the range's first address, kept for the node.</summary>
    public IPAddress ResolveAddress()
    {
        if (!string.IsNullOrWhiteSpace(Address))
        {
            return IPAddress.Parse(Address);
        }

        var bytes = ResolvePodRange().Network.GetAddressBytes();
        bytes[3] |= 1;
        return new IPAddress(bytes);
    }
}
