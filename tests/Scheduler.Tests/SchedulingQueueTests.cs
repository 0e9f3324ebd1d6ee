using KubeMesh.Scheduler.Queue;
using Microsoft.Extensions.Options;

namespace KubeMesh.Scheduler.Tests;

public sealed class SchedulingQueueTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static SchedulingQueue NewQueue() => new(Options.Create(new SchedulerOptions
    {
        PodInitialBackoff = TimeSpan.FromMilliseconds(50),
        PodMaxBackoff = TimeSpan.FromMilliseconds(200),
    }));

    [Fact]
    public async Task AddUnschedulable_NoClusterEvent_PodStaysParked()
    {
        using var queue = NewQueue();
        queue.Activate("default/p");
        var (pod, _) = await queue.PopAsync(CancellationToken.None).WaitAsync(Timeout);

        queue.AddUnschedulable(pod);
        queue.Done(pod.Key);

        using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.PopAsync(wait.Token));
        Assert.True(queue.IsUnschedulable("default/p"));
    }

    [Fact]
    public async Task MoveAllToActiveOrBackoff_ParkedPod_ReturnsAfterItsBackoff()
    {
        using var queue = NewQueue();
        queue.Activate("default/p");
        var (pod, _) = await queue.PopAsync(CancellationToken.None).WaitAsync(Timeout);
        queue.AddUnschedulable(pod);
        queue.Done(pod.Key);

        Assert.Equal(1, queue.MoveAllToActiveOrBackoff());
        var (again, _) = await queue.PopAsync(CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal("default/p", again.Key);
        Assert.True(again.Cycle > pod.Cycle);
        Assert.False(queue.IsUnschedulable("default/p"));
    }

    [Fact]
    public async Task AddUnschedulable_EventDuringTheAttempt_RequeuedInsteadOfParked()
    {
        using var queue = NewQueue();
        queue.Activate("default/p");
        var (pod, _) = await queue.PopAsync(CancellationToken.None).WaitAsync(Timeout);

        // A node was added while the pod was being filtered against the old snapshot.
        queue.MoveAllToActiveOrBackoff();
        queue.AddUnschedulable(pod);
        queue.Done(pod.Key);
        var (again, _) = await queue.PopAsync(CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal("default/p", again.Key);
    }

    [Fact]
    public async Task Delete_ParkedPod_NotWokenByLaterEvents()
    {
        using var queue = NewQueue();
        queue.Activate("default/p");
        var (pod, _) = await queue.PopAsync(CancellationToken.None).WaitAsync(Timeout);
        queue.AddUnschedulable(pod);
        queue.Done(pod.Key);

        queue.Delete("default/p");

        Assert.Equal(0, queue.MoveAllToActiveOrBackoff());
    }
}
