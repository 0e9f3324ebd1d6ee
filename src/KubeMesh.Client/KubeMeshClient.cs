using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using KubeMesh.Api;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Client.Credentials;

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

    /// <summary>The configuration key of the kubeconfig a component connects with (environment ApiServer__Kubeconfig).</summary>
    public const string KubeconfigConfigurationKey = "ApiServer:Kubeconfig";

    /// <summary>kmctl's override of the api-server address after --server, as kubectl users set --server per shell.</summary>
    public const string ServerEnvironmentVariable = "KUBEMESH_SERVER";
    /// <summary>The AppHost's two api-server replicas; a client fails over between them.</summary>
    public const string DefaultServerAddress = "http://127.0.0.1:6443,http://127.0.0.1:6444";

    /// <summary>The longest a client waits before trying again to connect to a replica that was away.</summary>
    public static readonly TimeSpan MaxReconnectBackoff = TimeSpan.FromSeconds(5);

    private readonly GrpcChannel? _channel;
    private readonly ConcurrentDictionary<ResourceKind, ResourceClient> _clients = new();

    /// <summary>Wraps any invoker: a channel, or one with interceptors (auth, tracing) composed on it.</summary>
    public KubeMeshClient(CallInvoker callInvoker)
    {
        CallInvoker = callInvoker;
        Pods = new PodService.PodServiceClient(callInvoker);
        ServiceAccounts = new ServiceAccountService.ServiceAccountServiceClient(callInvoker);
        Manifests = new ManifestService.ManifestServiceClient(callInvoker);
        Discovery = new DiscoveryService.DiscoveryServiceClient(callInvoker);
    }

    private KubeMeshClient(GrpcChannel channel, string address)
        : this(channel.CreateCallInvoker())
    {
        _channel = channel;
        Address = address;
    }

    /// <summary>The api-server's address (or comma-separated replica addresses) when connected by <see cref="Create"/>; null over any other invoker.</summary>
    public string? Address { get; }

    public CallInvoker CallInvoker { get; }

    /// <summary>Pod-specific RPCs: Bind (pods/binding) and GetLogs (pods/log).</summary>
    public PodService.PodServiceClient Pods { get; }

    /// <summary>ServiceAccount-specific RPCs: CreateToken (serviceaccounts/token).</summary>
    public ServiceAccountService.ServiceAccountServiceClient ServiceAccounts { get; }

    public ManifestService.ManifestServiceClient Manifests { get; }

    public DiscoveryService.DiscoveryServiceClient Discovery { get; }

    /// <summary>
    /// Connects over cleartext HTTP/2 to one api-server ("http://host:port"; a bare "host:port" is taken as http) or to
    /// several replicas ("http://127.0.0.1:6443,http://127.0.0.1:6444"), as kubeconfig's server sits behind a load
    /// balancer in front of every kube-apiserver: calls are spread round-robin over the replicas that answer, a replica
    /// that goes away is skipped until it is back, and a call that found it gone (UNAVAILABLE) is tried again on another.
    /// </summary>
    public static KubeMeshClient Create(string address) => Create(new ApiServerConnection(address));

    /// <summary>
    /// Connects as <see cref="Create(string)"/> does, over TLS for https addresses: the servers' certificates must chain
    /// to the connection's CA, and the client presents its certificate or bearer token (see <see cref="ApiServerTls"/>).
    /// </summary>
    public static KubeMeshClient Create(ApiServerConnection connection)
    {
        var addresses = ApiServerAddresses.Parse(connection.Address);
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
            // Sends the gRPC call's span as the server's parent rather than the HTTP request's, which is not exported.
            ActivityHeadersPropagator = GrpcClientTracing.Propagator,
        };
        ApiServerTls.Configure((SocketsHttpHandler)options.HttpHandler, connection);
        options.Credentials = ApiServerTls.ChannelCredentials(addresses[0].Scheme == "https", connection);
        options.ThrowOperationCanceledOnCancellation = true;
        // gRPC's default reconnect backoff grows to two minutes: a replica down for half a minute would then be tried
        // again only some twenty seconds after it is back, and if the other replica fell in that time every call would
        // fail although one was serving. kube-apiserver clients dial a replica per request; a few seconds is the bound.
        options.MaxReconnectBackoff = MaxReconnectBackoff;
        var channel = addresses.Count == 1
            ? GrpcChannel.ForAddress(addresses[0], options)
            : ApiServerAddresses.BalancedChannel(addresses, options);
        return new KubeMeshClient(channel, string.Join(',', addresses.Select(a => a.ToString().TrimEnd('/'))));
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
