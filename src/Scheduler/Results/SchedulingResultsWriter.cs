using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KubeMesh.Scheduler.Results;

/// <summary>
/// Decides which pods have their scheduling results recorded (all with Scheduler:RecordSchedulingResults, else those
/// annotated <see cref="RequestAnnotation"/>: "true") and writes them onto the pod once its cycle has ended, bound
/// or not. Best effort, as events are: a failed write is logged and never fails the scheduling.
/// </summary>
public sealed class SchedulingResultsWriter(KubeMeshClient client, IOptions<SchedulerOptions> options, ILogger<SchedulingResultsWriter> logger)
{
    /// <summary>The pod annotation that asks for its results.</summary>
    public const string RequestAnnotation = "scheduler.kubemesh.io/record-results";

    private readonly ResourceClient<Pod> _pods = client.For<Pod>();

    public bool Wanted(Pod pod) =>
        options.Value.RecordSchedulingResults
        || (pod.Metadata.Annotations.TryGetValue(RequestAnnotation, out var value) && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase));

    public async Task WriteAsync(Pod pod, SchedulingResults results, CancellationToken cancellationToken)
    {
        try
        {
            await RetryOnConflict.RunAsync(async ct =>
            {
                var current = await _pods.GetAsync(pod.Metadata.Namespace, pod.Metadata.Name, ct).ConfigureAwait(false);
                if (current.Metadata.Uid == pod.Metadata.Uid && current.Metadata.DeletionTimestamp is null && results.ApplyTo(current))
                {
                    await _pods.UpdateAsync(current, ct).ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            if (e.StatusCode != StatusCode.NotFound)
            {
                SchedulerLog.ResultsWriteFailed(logger, e, pod.Metadata.Namespace, pod.Metadata.Name);
            }
        }
    }
}
