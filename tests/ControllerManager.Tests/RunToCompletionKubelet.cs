using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.ControllerManager.Tests;

/// <summary>What the fake kubelet does with a pod that has run for a while.</summary>
public enum PodOutcome
{
    KeepRunning,
    Succeed,
    Fail,
    RestartContainer,
}

/// <summary>
/// Stands in for kubelets running batch pods: a pending pod becomes Running and Ready, and once it has run for
/// runFor the outcome function decides whether its container exits 0 (Succeeded), exits non-zero (Failed), or
/// is restarted in place (restartCount + 1, as under restartPolicy OnFailure).
/// </summary>
public sealed class RunToCompletionKubelet : IAsyncDisposable
{
    private readonly BackgroundLoop _loop;
    private readonly Func<Pod, PodOutcome> _outcome;
    private readonly TimeSpan _runFor;

    public RunToCompletionKubelet(KubeMeshClient client, string ns, TimeSpan runFor, Func<Pod, PodOutcome> outcome)
    {
        _runFor = runFor;
        _outcome = outcome;
        _loop = new BackgroundLoop(ct => RunAsync(client.For<Pod>(), ns, ct));
    }

    public ValueTask DisposeAsync() => _loop.DisposeAsync();

    private async Task RunAsync(ResourceClient<Pod> pods, string ns, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(50, cancellationToken);
                foreach (var pod in (await pods.ListAsync(new ListRequest { Namespace = ns }, cancellationToken)).Items)
                {
                    if (pod.Metadata.DeletionTimestamp is not null)
                    {
                        continue;
                    }

                    if (pod.Status.Phase == "Pending")
                    {
                        await pods.UpdateStatusAsync(Running(pod, 0), cancellationToken);
                    }
                    else if (pod.Status.Phase == "Running" && DateTimeOffset.UtcNow - pod.Status.StartTime.ToDateTimeOffset() >= _runFor)
                    {
                        if (Finish(pod, _outcome(pod)) is { } finished)
                        {
                            await pods.UpdateStatusAsync(finished, cancellationToken);
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (RpcException)
            {
                // Lost a race with a controller (conflict, pod deleted): the next round looks again.
            }
        }
    }

    private static Pod Running(Pod pod, int restarts)
    {
        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        var updated = pod.Clone();
        updated.Status.Phase = "Running";
        updated.Status.StartTime = now;
        updated.Status.Conditions.Clear();
        updated.Status.Conditions.Add(new Condition { Type = "Ready", Status = "True", LastTransitionTime = now });
        updated.Status.ContainerStatuses.Clear();
        updated.Status.ContainerStatuses.Add(new ContainerStatus { Name = pod.Spec.Containers[0].Name, Ready = true, RestartCount = restarts, State = new ContainerState { Running = new ContainerStateRunning { StartedAt = now } } });
        return updated;
    }

    private static Pod? Finish(Pod pod, PodOutcome outcome)
    {
        if (outcome == PodOutcome.KeepRunning)
        {
            return null;
        }

        if (outcome == PodOutcome.RestartContainer)
        {
            return Running(pod, (pod.Status.ContainerStatuses.FirstOrDefault()?.RestartCount ?? 0) + 1);
        }

        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        var updated = pod.Clone();
        updated.Status.Phase = outcome == PodOutcome.Succeed ? "Succeeded" : "Failed";
        updated.Status.Conditions.Clear();
        updated.Status.Conditions.Add(new Condition { Type = "Ready", Status = "False", Reason = "PodCompleted", LastTransitionTime = now });
        foreach (var container in updated.Status.ContainerStatuses)
        {
            container.Ready = false;
            container.State = new ContainerState { Terminated = new ContainerStateTerminated { ExitCode = outcome == PodOutcome.Succeed ? 0 : 1, Reason = outcome == PodOutcome.Succeed ? "Completed" : "Error", FinishedAt = now } };
        }

        return updated;
    }
}
