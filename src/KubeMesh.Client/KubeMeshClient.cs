using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using KubeMesh.Api;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.Client;

/// <summary>
/// The entry point for talking to the api-server (client-go's Clientset): one HTTP/2 channel shared by a client
/// per kind, plus the generated clients for the RPCs that are not plain CRUD (bind, logs, apply, discovery).
/// </summary>
public sealed class KubeMeshClient : IDisposable
{
    /// <summary>
    /// The configuration key every component reads the api-server's address from (environment ApiServer__Address,
    /// command line --ApiServer:Address=...). Only command-line tools (kmctl) read <see cref="ServerEnvironmentVariable"/>.
    /// </summary>
    public const string AddressConfigurationKey = "ApiServer:Address";

    /// <summary>kmctl's override of the api-server address after --server, as kubectl users set --server per shell.</summary>
    public const string ServerEnvironmentVariable = "KUBEMESH_SERVER";
    public const string DefaultServerAddress = "http://127.0.0.1:6443";

    private readonly GrpcChannel? _channel;
    private readonly ConcurrentDictionary<ResourceKind, ResourceClient> _clients = new();

    /// <summary>Wraps any invoker: a channel, or one with interceptors (auth, tracing) composed on it.</summary>
    public KubeMeshClient(CallInvoker callInvoker)
    {
        CallInvoker = callInvoker;
        Pods = new PodService.PodServiceClient(callInvoker);
        Manifests = new ManifestService.ManifestServiceClient(callInvoker);
        Discovery = new DiscoveryService.DiscoveryServiceClient(callInvoker);
    }

    private KubeMeshClient(GrpcChannel channel, string address)
        : this(channel.CreateCallInvoker())
    {
        _channel = channel;
        Address = address;
    }

    /// <summary>The api-server's address when connected by <see cref="Create"/>; null over any other invoker.</summary>
    public string? Address { get; }

    public CallInvoker CallInvoker { get; }

    /// <summary>Pod-specific RPCs: Bind (pods/binding) and GetLogs (pods/log).</summary>
    public PodService.PodServiceClient Pods { get; }

    public ManifestService.ManifestServiceClient Manifests { get; }

    public DiscoveryService.DiscoveryServiceClient Discovery { get; }

    /// <summary>Connects over cleartext HTTP/2 ("http://host:port"; a bare "host:port" is taken as http).</summary>
    public static KubeMeshClient Create(string address)
    {
        var uri = address.Contains("://", StringComparison.Ordinal) ? address : "http://" + address;
        // The message limits are the api-server's (ApiLimits): a request too large fails here, before it is sent,
        // and a list of every pod in a busy cluster, larger than gRPC's default 4 MB, still arrives.
        var options = ApiLimits.ChannelOptions();
        options.HttpHandler = new SocketsHttpHandler
        {
            // Every informer holds a watch stream open; more than 100 concurrent streams need more connections.
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        options.ThrowOperationCanceledOnCancellation = true;
        var channel = GrpcChannel.ForAddress(uri, options);
        return new KubeMeshClient(channel, uri);
    }

    /// <summary>The api-server address as command-line tools find it: --server, then $KUBEMESH_SERVER, then the default.</summary>
    public static string ResolveServerAddress(string? flag)
    {
        if (!string.IsNullOrWhiteSpace(flag))
        {
            return flag;
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(ServerEnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultServerAddress : fromEnvironment;
    }

    public ResourceClient<T> For<T>()
        where T : class, IMessage<T>, new() =>
        new(For(ResourceKinds.For(new T().Descriptor)));

    public ResourceClient For(ResourceKind kind) => _clients.GetOrAdd(kind, k => new ResourceClient(CallInvoker, k));

    public void Dispose() => _channel?.Dispose();
}
