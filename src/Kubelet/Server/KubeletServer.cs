using System.Globalization;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Kubelet.V1;
using KubeMesh.Kubelet.Pods;
using KubeMesh.Kubelet.Runtime;
using Microsoft.Extensions.Options;

namespace KubeMesh.Kubelet.Server;

/// <summary>
/// The kubelet's own server (pkg/kubelet/server): the containerLogs and exec endpoints the api-server proxies
/// pods/log and pods/exec to. For logs, like the kubelet, "current" means the running or last finished instance
/// (a container waiting in CrashLoopBackOff shows the crashed one) and "previous" the instance named in lastState.
/// </summary>
public sealed class KubeletServer(PodManager pods, ContainerLogStore logs, IContainerRuntime runtime,
    IOptions<KubeletOptions> options, TimeProvider time) : KubeletService.KubeletServiceBase
{
    public override async Task GetContainerLogs(PodLogRequest request, IServerStreamWriter<PodLogChunk> responseStream, ServerCallContext context)
    {
        var (worker, containerName, slot) = Find(request.Namespace, request.Name, request.Container);

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

    /// <summary>
    /// Runs the command named by the first message in the running container and streams what it writes; the last
    /// message has its exit code. Later messages are its stdin, closed when the caller completes its stream.
    /// </summary>
    public override async Task ExecInContainer(IAsyncStreamReader<ExecInput> requestStream, IServerStreamWriter<PodExecOutput> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.InputCase != ExecInput.InputOneofCase.Request)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message of an exec must name the command"));
        }

        var request = requestStream.Current.Request;
        var (_, containerName, slot) = Find(request.Namespace, request.Name, request.Container);
        if (!slot.IsRunning || slot.Handle is not { } handle)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"container {containerName} is not running in pod {request.Name}"));
        }

        var exitCode = await runtime.ExecStreamingAsync(
            handle,
            request.Command,
            (error, data) => responseStream.WriteAsync(
                error ? new PodExecOutput { Stderr = ByteString.CopyFrom(data.Span) } : new PodExecOutput { Stdout = ByteString.CopyFrom(data.Span) },
                context.CancellationToken),
            context.CancellationToken,
            async (stdin, ct) =>
            {
                while (await requestStream.MoveNext(ct))
                {
                    if (requestStream.Current.InputCase == ExecInput.InputOneofCase.Stdin)
                    {
                        await stdin.WriteAsync(requestStream.Current.Stdin.Memory, ct);
                        await stdin.FlushAsync(ct);
                    }
                }
            });
        await responseStream.WriteAsync(new PodExecOutput { ExitCode = exitCode }, context.CancellationToken);
    }

    /// <summary>The pod's worker on this node and the container named (or its only one), else NotFound / InvalidArgument.</summary>
    private (PodWorker Worker, string ContainerName, ContainerSlot Slot) Find(string ns, string name, string container)
    {
        var worker = pods.Find(ns, name)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"pod \"{name}\" in namespace \"{ns}\" is not running on node {options.Value.NodeName}"));
        var spec = worker.Pod.Spec;
        var containerName = string.IsNullOrEmpty(container) && spec.Containers.Count == 1 ? spec.Containers[0].Name : container;
        var slot = worker.FindContainer(containerName)
            ?? throw new RpcException(new Status(StatusCode.InvalidArgument, $"container {containerName} is not valid for pod {name}"));
        return (worker, containerName, slot);
    }

    private static RpcException NotFound(string message) => new(new Status(StatusCode.NotFound, message));
}
