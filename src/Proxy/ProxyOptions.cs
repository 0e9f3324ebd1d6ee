namespace KubeMesh.Proxy;

/// <summary>The proxy's settings (section "Proxy").</summary>
public sealed class ProxyOptions
{
    public const string Section = "Proxy";

    /// <summary>External addresses handed to LoadBalancer Services, as MetalLB's address pool.</summary>
    public string LoadBalancerPool { get; set; } = "127.240.0.0/24";

    /// <summary>How long one backend may take to accept before the next one is tried.</summary>
    public TimeSpan BackendConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether to also listen on 127.0.0.1:nodePort, the "localhost" node address.</summary>
    public bool NodePortOnLocalhost { get; set; } = true;
}
