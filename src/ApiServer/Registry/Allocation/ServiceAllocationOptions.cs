namespace KubeMesh.ApiServer.Registry.Allocation;

/// <summary>kube-apiserver's --service-cluster-ip-range and --service-node-port-range.</summary>
public sealed class ServiceAllocationOptions
{
    public const string Section = "ApiServer";

    /// <summary>Cluster IPs come from here; inside 127.0.0.0/8 so that every address is bindable on this machine.</summary>
    public string ServiceClusterIpRange { get; set; } = "127.96.0.0/16";

    /// <summary>Inclusive range of node ports, as "first-last".</summary>
    public string ServiceNodePortRange { get; set; } = "30000-32767";
}
