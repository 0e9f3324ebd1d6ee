using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Kubelet.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry;

namespace KubeMesh.ApiServer.Services;

/// <summary>
/// pods/log: finds the node running the pod and streams the container's log from that node's kubelet,
/// as kube-apiserver proxies to the kubelet's /containerLogs endpoint.
/// </summary>
public sealed class KubeletLogProxy(ResourceRegistry registry) : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new();

    public async Task StreamAsync(PodLogRequest request, IServerStreamWriter<IMessage> stream, ServerCallContext context)
    {
        var pod = (Pod)await registry.GetAsync(ResourceKinds.Pod, request.Namespace, request.Name);
        var forward = request.Clone();
        forward.Namespace = pod.Metadata.Namespace;
        forward.Container = ResolveContainer(pod, request.Container);
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

        var channel = _channels.GetOrAdd($"http://{address}:{port}", a => GrpcChannel.ForAddress(a));
        var client = new KubeletService.KubeletServiceClient(channel);
        using var call = client.GetContainerLogs(forward, cancellationToken: context.CancellationToken);
        while (await call.ResponseStream.MoveNext(context.CancellationToken))
        {
            await stream.WriteAsync(call.ResponseStream.Current, context.CancellationToken);
        }
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
