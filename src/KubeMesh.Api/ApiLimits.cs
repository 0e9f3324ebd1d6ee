using Grpc.Net.Client;

namespace KubeMesh.Api;

/// <summary>
/// The sizes every KubeMesh server and client holds to, kept in one place. The numbers are Kubernetes': a request
/// body of at most 3 MiB (kube-apiserver's MaxRequestBodyBytes) and a nesting depth of at most 10000 (Go's
/// encoding/json and go-yaml, which decode every manifest kube-apiserver and kubectl read).
/// </summary>
public static class ApiLimits
{
    /// <summary>The largest request any component accepts, a manifest to apply included: 3 MiB, as kube-apiserver.</summary>
    public const int MaxRequestBytes = 3 * 1024 * 1024;

    /// <summary>
    /// The largest response: a list of every pod of a busy cluster is far beyond gRPC's default 4 MB, and
    /// kube-apiserver bounds no response either. Big enough for that, small enough that no reply exhausts memory.
    /// </summary>
    public const int MaxResponseBytes = 256 * 1024 * 1024;

    /// <summary>Request headers of one request, all together: Kestrel's default, which no gRPC client comes near.</summary>
    public const int MaxRequestHeadersBytes = 32 * 1024;

    /// <summary>
    /// The longest status message a server returns, in UTF-8 bytes. gRPC carries it in a trailer, percent-encoded
    /// (up to three times longer), and .NET's HTTP client refuses response headers over 64 KiB: a longer message,
    /// such as a manifest's thousands of field errors, reached the client as UNAVAILABLE instead of the error.
    /// </summary>
    public const int MaxStatusDetailBytes = 16 * 1024;

    /// <summary>How deep the mappings and sequences of a manifest may nest, in YAML and in JSON.</summary>
    public const int MaxNestingDepth = 10_000;

    /// <summary>
    /// How deep YAML's flow collections (<c>[...]</c> and <c>{...}</c>) may nest. YamlDotNet's scanner looks at every
    /// open flow level again for each token it reads, so a document costs its length times this depth: at 10000, a
    /// 3 MiB manifest took minutes. At 100 the largest manifest costs no more than a flat one, and 100 is as deep
    /// as protobuf lets any message nest (no kind's schema comes near). JSON, read by System.Text.Json, keeps
    /// <see cref="MaxNestingDepth"/>.
    /// </summary>
    public const int MaxYamlFlowDepth = 100;

    /// <summary>A gRPC client's channel options with these limits; callers add their handler and the rest.</summary>
    public static GrpcChannelOptions ChannelOptions() => new()
    {
        MaxSendMessageSize = MaxRequestBytes,
        MaxReceiveMessageSize = MaxResponseBytes,
    };
}
