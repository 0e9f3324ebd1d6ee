using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.ControllerManager.Tests;

/// <summary>
/// Stands in for kubelets: a pod pending for longer than the delay is written Running and Ready (with a pod IP),
/// through UpdateStatus as a kubelet would. Only pods in one namespace, optionally only bound ones.
/// </summary>
public sealed class FakeKubelet : IAsyncDisposable
{
    private readonly BackgroundLoop _loop;
    private int _nextIp = 2;

    public FakeKubelet(KubeMeshClient client, string ns, TimeSpan delay, bool onlyBound = false)
    {
        _loop = new BackgroundLoop(ct => RunAsync(client.For<Pod>(), ns, delay, onlyBound, ct));
    }

    private volatile bool _paused;

    public bool Paused
    {
        get => _paused;
        set => _paused = value;
    }

    public ValueTask DisposeAsync() => _loop.DisposeAsync();

    private async Task RunAsync(ResourceClient<Pod> pods, string ns, TimeSpan delay, bool onlyBound, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(50, cancellationToken);
                if (Paused)
                {
                    continue;
                }

                var list = await pods.ListAsync(new ListRequest { Namespace = ns }, cancellationToken);
                foreach (var pod in list.Items)
                {
                    var age = DateTimeOffset.UtcNow - pod.Metadata.CreationTimestamp.ToDateTimeOffset();
                    if (pod.Status.Phase != "Pending" || pod.Metadata.DeletionTimestamp is not null || age < delay
                        || (onlyBound && string.IsNullOrEmpty(pod.Spec.NodeName)))
                    {
                        continue;
                    }

                    await MarkRunningAsync(pods, pod, cancellationToken);
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

    private Task MarkRunningAsync(ResourceClient<Pod> pods, Pod pod, CancellationToken cancellationToken)
    {
        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        var updated = pod.Clone();
        updated.Status.Phase = "Running";
        updated.Status.PodIp = $"10.244.0.{Interlocked.Increment(ref _nextIp) % 250}";
        updated.Status.StartTime = now;
        updated.Status.Conditions.Clear();
        updated.Status.Conditions.Add(new Condition { Type = "Ready", Status = "True", LastTransitionTime = now });
        updated.Status.Conditions.Add(new Condition { Type = "ContainersReady", Status = "True", LastTransitionTime = now });
        return pods.UpdateStatusAsync(updated, cancellationToken);
    }
}
