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

    /// <summary>ingress-nginx's proxy-connect-timeout: how long a pod may take to accept a connection (then 504).</summary>
    public TimeSpan UpstreamConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>ingress-nginx's upstream-keepalive-timeout: how long an idle connection to a pod is kept.</summary>
    public TimeSpan UpstreamKeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The share of proxied requests whose traces are recorded and exported (ingress-nginx's otel-sampler-ratio,
    /// default 0.01), between 0 and 1. Requests that arrive with a sampled traceparent are recorded regardless.
    /// </summary>
    public double TraceSampleRatio { get; set; } = 0.01;

    /// <summary>
    /// At most this many traces a second are started by requests that arrive without a traceparent (Jaeger's
    /// rate-limiting sampler); 0 for no limit. At 0.01 of a load test's 20,000 requests a second, the dashboard would
    /// otherwise ingest 200 traces a second.
    /// </summary>
    public double TraceRateLimit { get; set; } = 10;

    /// <summary>
    /// Plain HTTP/1.1 requests without a body or an upgrade go to round-robin backends over the controller's own
    /// forwarding path (Kestrel in, its pooled upstream connections out) instead of YARP's forwarder, which handles
    /// everything else; false sends every request through YARP.
    /// </summary>
    public bool DirectForwarding { get; set; } = true;

    /// <summary>
    /// With <see cref="DirectForwarding"/>, the HTTP port's connections are read by the controller first
    /// (<c>Proxy/ConnectionForwarding</c>): their plain requests are forwarded straight off the connection, without
    /// Kestrel's HTTP processing, until one needs it; false leaves every request to Kestrel.
    /// </summary>
    public bool ConnectionForwarding { get; set; } = true;

    /// <summary>
    /// On Linux, the HTTP port's connections and the connections to the pods run on the controller's own epoll loops
    /// (<c>Transport/</c>), one thread per core, as nginx's workers run, instead of .NET's socket engine; false
    /// leaves both to .NET's sockets. The HTTPS and health ports always use Kestrel's socket transport.
    /// </summary>
    public bool EpollTransport { get; set; } = true;
}
