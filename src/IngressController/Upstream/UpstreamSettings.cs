using System.Collections.Frozen;
using System.Diagnostics;

namespace KubeMesh.IngressController.Upstream;

/// <summary>How connections to the pods are made and kept; the defaults are ingress-nginx's and HttpClient's.</summary>
internal sealed class UpstreamSettings
{
    /// <summary>ingress-nginx's proxy-connect-timeout (5 s); a pod that does not accept in time is a 504.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// ingress-nginx's upstream-keepalive-timeout (60 s): how long an idle connection is kept. Below the pods' own
    /// idle limits (Kestrel's 130 s), so a pooled connection is rarely closed under a request.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A connection idle longer than this is checked for a close by the pod before it is used again; one in steady
    /// use is not (the check is a system call).
    /// </summary>
    public TimeSpan StaleCheckAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>HttpClient's Expect100ContinueTimeout: how long to wait for 100 Continue before sending the body anyway.</summary>
    public TimeSpan ExpectContinueTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The receive buffer each connection starts with; a pod's response head and small bodies fit.</summary>
    public int ReadBufferBytes { get; init; } = 8 * 1024;

    /// <summary>HttpClient's MaxResponseHeadersLength (64 KiB): a larger response head is a 502.</summary>
    public int MaxResponseHeadBytes { get; init; } = 64 * 1024;

    /// <summary>Connections to IP addresses run on the controller's epoll loops (<c>Transport/</c>), not .NET's sockets.</summary>
    public bool Epoll { get; init; } = Transport.EpollEngine.IsSupported;

    public DistributedContextPropagator Propagator { get; init; } = DistributedContextPropagator.Current;

    /// <summary>The fields <see cref="Propagator"/> writes, left out of what the client sent when this hop writes its own.</summary>
    public FrozenSet<string> PropagatorFields => field ??= Propagator.Fields.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
}
