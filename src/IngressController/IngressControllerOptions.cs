namespace KubeMesh.IngressController;

/// <summary>The controller's settings, from the configuration section "IngressController".</summary>
public sealed class IngressControllerOptions
{
    public const string Section = "IngressController";

    /// <summary>The ingress class handled; ingresses with no class are handled too, as by the default class.</summary>
    public string ClassName { get; set; } = "nginx";

    /// <summary>The address every listener binds; pod and service addresses live in 127.0.0.0/8.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>
    /// The address published in status.loadBalancer.ingress of the ingresses served (ingress-nginx's
    /// --publish-status-address); empty for <see cref="Address"/>.
    /// </summary>
    public string PublishStatusAddress { get; set; } = "";

    internal string StatusAddress => PublishStatusAddress.Length > 0 ? PublishStatusAddress : Address;

    /// <summary>Plain HTTP; ports below 1024 need root or a lowered net.ipv4.ip_unprivileged_port_start.</summary>
    public int HttpPort { get; set; } = 80;

    public int HttpsPort { get; set; } = 443;

    /// <summary>/healthz and /readyz, apart from proxied traffic (ingress-nginx uses 10254 too).</summary>
    public int HealthPort { get; set; } = 10254;

    /// <summary>The namespace of the controller's ConfigMap; created at startup if missing.</summary>
    public string ConfigMapNamespace { get; set; } = "ingress-nginx";

    public string ConfigMapName { get; set; } = "nginx-configuration";

    /// <summary>
    /// How long after a change the configuration is rebuilt; changes meanwhile join that rebuild, so a burst costs
    /// one, and under a continuous stream of changes a rebuild still comes every interval.
    /// </summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(100);
}
