using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using KubeMesh.Api;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Kubelet.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Security;
using System.Security.Cryptography.X509Certificates;
using KubeMesh.ApiServer.Registry;

namespace KubeMesh.ApiServer.Services;

/// <summary>
/// pods/log and pods/exec: finds the node running the pod and forwards to that node's kubelet, as kube-apiserver
/// proxies to the kubelet's /containerLogs and /exec endpoints.
/// </summary>
public sealed class KubeletProxy(ResourceRegistry registry, KubeletClientOptions tls) : IDisposable
{
    private readonly Lazy<(X509Certificate2Collection Roots, X509Certificate2 Certificate)?> _credentials = new(() =>
        string.IsNullOrWhiteSpace(tls.CertFile) ? null : (CertificateTrust.FromPemFile(tls.CaFile!).Roots, PemFiles.Load(tls.CertFile, tls.KeyFile!)));

    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new();

    public async Task StreamLogsAsync(PodLogRequest request, IServerStreamWriter<IMessage> stream, ServerCallContext context)
    {
        using var call = await OpenLogsAsync(request, context.CancellationToken);
        await CopyAsync(call.ResponseStream, stream, context);
    }

    /// <summary>The container's log stream from its kubelet; the first read reports a pod or container that has none.</summary>
    public async Task<AsyncServerStreamingCall<PodLogChunk>> OpenLogsAsync(PodLogRequest request, CancellationToken cancellationToken)
    {
        var (pod, client) = await KubeletOfAsync(request.Namespace, request.Name);
        var forward = request.Clone();
        forward.Namespace = pod.Metadata.Namespace;
        forward.Container = ResolveContainer(pod, request.Container);
        return client.GetContainerLogs(forward, cancellationToken: cancellationToken);
    }

    /// <summary>pods/exec without stdin, as the gRPC PodService serves it.</summary>
    public async Task ExecAsync(PodExecRequest request, IServerStreamWriter<IMessage> stream, ServerCallContext context)
    {
        using var call = await OpenExecAsync(request, context.CancellationToken);
        await call.RequestStream.CompleteAsync();
        await CopyAsync(call.ResponseStream, stream, context);
    }

    /// <summary>
    /// Starts the command in the pod's container on its kubelet and returns the call: write stdin to its request
    /// stream and complete it to close stdin; read output and the exit code from its response stream.
    /// </summary>
    public async Task<AsyncDuplexStreamingCall<ExecInput, PodExecOutput>> OpenExecAsync(PodExecRequest request, CancellationToken cancellationToken) =>
        await (await PrepareExecAsync(request)).StartAsync(cancellationToken);

    /// <summary>
    /// Checks an exec request (the command, the pod, its node and container) without starting anything, so that a
    /// caller can refuse a bad request before it commits to a stream and start the command only once it is ready to
    /// carry its output.
    /// </summary>
    public async Task<PreparedExec> PrepareExecAsync(PodExecRequest request)
    {
        if (request.Command.Count == 0 || string.IsNullOrEmpty(request.Command[0]))
        {
            throw ApiErrors.BadRequest("command: Required value: you must specify at least one command for the container");
        }

        var (pod, client) = await KubeletOfAsync(request.Namespace, request.Name);
        if (pod.Status?.Phase is "Succeeded" or "Failed")
        {
            throw ApiErrors.BadRequest($"cannot exec into a container in a completed pod; current phase is {pod.Status.Phase}");
        }

        var forward = request.Clone();
        forward.Namespace = pod.Metadata.Namespace;
        forward.Container = ResolveContainer(pod, request.Container);
        return new PreparedExec(client, forward);
    }

    /// <summary>An exec request that passed its checks, bound to the kubelet of the pod's node.</summary>
    public sealed class PreparedExec(KubeletService.KubeletServiceClient client, PodExecRequest request)
    {
        public PodExecRequest Request => request;

        /// <summary>Starts the command on the kubelet.</summary>
        public async Task<AsyncDuplexStreamingCall<ExecInput, PodExecOutput>> StartAsync(CancellationToken cancellationToken)
        {
            var call = client.ExecInContainer(cancellationToken: cancellationToken);
            try
            {
                await call.RequestStream.WriteAsync(new ExecInput { Request = request }, cancellationToken);
            }
            catch
            {
                call.Dispose();
                throw;
            }

            return call;
        }
    }

    private static async Task CopyAsync<T>(IAsyncStreamReader<T> responses, IServerStreamWriter<IMessage> stream, ServerCallContext context)
        where T : IMessage
    {
        while (await responses.MoveNext(context.CancellationToken))
        {
            await stream.WriteAsync(responses.Current, context.CancellationToken);
        }
    }

    private async Task<(Pod Pod, KubeletService.KubeletServiceClient Client)> KubeletOfAsync(string? ns, string name)
    {
        var pod = (Pod)await registry.GetAsync(ResourceKinds.Pod, ns, name);
        if (string.IsNullOrEmpty(pod.Spec.NodeName))
        {
            throw ApiErrors.BadRequest($"pod {pod.Metadata.Name} does not have a host assigned");
        }

        var node = (Node)await registry.GetAsync(ResourceKinds.Node, null, pod.Spec.NodeName);
        var address = node.Status?.Addresses.FirstOrDefault(a => a.Type == "InternalIP")?.Address;
        var port = node.Status?.DaemonEndpoints?.KubeletEndpoint?.Port ?? 0;
        if (address is null || port == 0)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"node {node.Metadata.Name} publishes no kubelet endpoint"));
        }

        var credentials = _credentials.Value;
        var channel = _channels.GetOrAdd($"{(credentials is null ? "http" : "https")}://{address}:{port}", a =>
        {
            var options = ApiLimits.ChannelOptions();
            var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, ActivityHeadersPropagator = GrpcClientTracing.Propagator };
            if (credentials is { } c)
            {
                TlsClientAuthentication.Apply(handler.SslOptions, c.Roots, c.Certificate);
            }

            options.HttpHandler = handler;

            return GrpcChannel.ForAddress(a, options);
        });
        return (pod, new KubeletService.KubeletServiceClient(channel));
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }

    private static string ResolveContainer(Pod pod, string requested)
    {
        var names = pod.Spec.InitContainers.Concat(pod.Spec.Containers).Select(c => c.Name).ToList();
        if (string.IsNullOrEmpty(requested))
        {
            return pod.Spec.Containers.Count == 1
                ? pod.Spec.Containers[0].Name
                : throw ApiErrors.BadRequest($"a container name must be specified for pod {pod.Metadata.Name}, choose one of: [{string.Join(" ", pod.Spec.Containers.Select(c => c.Name))}]");
        }

        return names.Contains(requested)
            ? requested
            : throw ApiErrors.BadRequest($"container {requested} is not valid for pod {pod.Metadata.Name}");
    }
}
