using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using KubeMesh.Api;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Kubelet.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry;

namespace KubeMesh.ApiServer.Services;

/// <summary>
/// pods/log and pods/exec: finds the node running the pod and forwards to that node's kubelet, as kube-apiserver
/// proxies to the kubelet's /containerLogs and /exec endpoints.
/// </summary>
public sealed class KubeletProxy(ResourceRegistry registry) : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new();

    public async Task StreamLogsAsync(PodLogRequest request, IServerStreamWriter<IMessage> stream, ServerCallContext context)
    {
        var (pod, client) = await KubeletOfAsync(request.Namespace, request.Name);
        var forward = request.Clone();
        forward.Namespace = pod.Metadata.Namespace;
        forward.Container = ResolveContainer(pod, request.Container);
        await CopyAsync(client.GetContainerLogs(forward, cancellationToken: context.CancellationToken), stream, context);
    }

    public async Task ExecAsync(PodExecRequest request, IServerStreamWriter<IMessage> stream, ServerCallContext context)
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
        await CopyAsync(client.ExecInContainer(forward, cancellationToken: context.CancellationToken), stream, context);
    }

    private static async Task CopyAsync<T>(AsyncServerStreamingCall<T> call, IServerStreamWriter<IMessage> stream, ServerCallContext context)
        where T : IMessage
    {
        using (call)
        {
            while (await call.ResponseStream.MoveNext(context.CancellationToken))
            {
                await stream.WriteAsync(call.ResponseStream.Current, context.CancellationToken);
            }
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

        var channel = _channels.GetOrAdd($"http://{address}:{port}", a => GrpcChannel.ForAddress(a, ApiLimits.ChannelOptions()));
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
