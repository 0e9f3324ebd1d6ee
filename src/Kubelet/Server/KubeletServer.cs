using System.Globalization;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Kubelet.V1;
using KubeMesh.Kubelet.Pods;
using KubeMesh.Kubelet.Runtime;
using Microsoft.Extensions.Options;

namespace KubeMesh.Kubelet.Logs;

/// <summary>
/// The kubelet's containerLogs endpoint, which the api-server proxies pods/log to. Like the kubelet, "current"
/// means the running or last finished instance (a container waiting in CrashLoopBackOff shows the crashed one)
/// and "previous" the instance named in lastState.
/// </summary>
public sealed class KubeletLogService(PodManager pods, ContainerLogStore logs, IContainerRuntime runtime,
    IOptions<KubeletOptions> options, TimeProvider time) : KubeletService.KubeletServiceBase
{
    public override async Task GetContainerLogs(PodLogRequest request, IServerStreamWriter<PodLogChunk> responseStream, ServerCallContext context)
    {
        var worker = pods.Find(request.Namespace, request.Name)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"pod \"{request.Name}\" in namespace \"{request.Namespace}\" is not running on node {options.Value.NodeName}"));
        var pod = worker.Pod;
        var containerName = string.IsNullOrEmpty(request.Container) && pod.Spec.Containers.Count == 1 ? pod.Spec.Containers[0].Name : request.Container;
        var slot = worker.FindContainer(containerName)
            ?? throw new RpcException(new Status(StatusCode.InvalidArgument, $"container {containerName} is not valid for pod {request.Name}"));

        // The crashed instance a container waits to restart is both its current log and its lastState.
        var crashed = !slot.IsRunning && slot.Waiting is not null && slot.Terminated is not null;
        bool previous;
        if (request.Previous)
        {
            if (!crashed && slot.Previous is null)
            {
                throw NotFound($"previous terminated container \"{containerName}\" in pod \"{request.Name}\" not found");
            }

            previous = !crashed;
        }
        else
        {
            if (!slot.HasRun)
            {
                throw NotFound($"container \"{containerName}\" in pod \"{request.Name}\" is waiting to start: {slot.Waiting?.Reason ?? "ContainerCreating"}");
            }

            previous = false;
        }

        var handle = slot.Handle;
        Task? until = request.Follow && !request.Previous && slot.IsRunning && handle is not null
            ? runtime.WaitForExitAsync(handle, context.CancellationToken)
            : null;
        DateTimeOffset? since = request.HasSinceSeconds ? time.GetUtcNow().AddSeconds(-request.SinceSeconds) : null;
        int? tail = request.HasTailLines && request.TailLines >= 0 ? (int)Math.Min(request.TailLines, int.MaxValue) : null;
        var lineStart = true;
        try
        {
            await foreach (var line in logs.ReadAsync(worker.Uid, containerName, previous, tail, until, context.CancellationToken))
            {
                if (since is not null && line.Time < since)
                {
                    continue;
                }

                // A partial record is sent as it is, and the records that continue its line follow without a timestamp.
                var text = (request.Timestamps && lineStart ? line.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) + " " : "")
                    + line.Text + (line.Partial ? "" : "\n");
                lineStart = !line.Partial;
                await responseStream.WriteAsync(new PodLogChunk { Data = ByteString.CopyFrom(text, Encoding.UTF8) }, context.CancellationToken);
            }
        }
        catch (FileNotFoundException)
        {
            throw NotFound(request.Previous
                ? $"previous terminated container \"{containerName}\" in pod \"{request.Name}\" not found"
                : $"container \"{containerName}\" in pod \"{request.Name}\" has no logs");
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
        }
    }

    private static RpcException NotFound(string message) => new(new Status(StatusCode.NotFound, message));
}
