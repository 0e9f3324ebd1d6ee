using System.Net;
using KubeMesh.Kubelet.Runtime;
using KubeMesh.Kubelet.Runtime.Hollow;
using Microsoft.Extensions.Time.Testing;

namespace KubeMesh.Kubelet.Tests.Hollow;

public sealed class HollowContainerRuntimeTests
{
    private static readonly PodSandbox Sandbox = new("uid-1", "default", "web", IPAddress.Parse("127.128.1.2"), "/nonexistent/pod");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task StartContainer_RunsAtOnceAndUntilStopped_ThenExitsZero()
    {
        var runtime = new HollowContainerRuntime(new HollowRuntimeOptions(), _time);

        var handle = await runtime.StartContainerAsync(Sandbox, new ContainerSpec("app", "nginx"), CancellationToken.None);
        _time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(ContainerState.Running, runtime.GetStatus(handle).State);
        Assert.False(runtime.WaitForExitAsync(handle, CancellationToken.None).IsCompleted);
        var stopped = await runtime.StopContainerAsync(handle, TimeSpan.FromSeconds(30));
        Assert.Equal((ContainerState.Exited, 0, "Completed"), (stopped.State, stopped.ExitCode, stopped.Reason));
        Assert.Equal(stopped, await runtime.WaitForExitAsync(handle, CancellationToken.None));
        Assert.Equal(_time.GetUtcNow(), stopped.FinishedAt);
    }

    [Fact]
    public async Task StartContainer_RunsToCompletion_ExitsZeroAfterTheCompletionDelay()
    {
        var runtime = new HollowContainerRuntime(new HollowRuntimeOptions { CompletionDelay = TimeSpan.FromSeconds(5) }, _time);
        var handle = await runtime.StartContainerAsync(Sandbox, new ContainerSpec("init", "busybox") { RunsToCompletion = true }, CancellationToken.None);
        var exit = runtime.WaitForExitAsync(handle, CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(exit.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));

        var status = await exit.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((ContainerState.Exited, 0), (status.State, status.ExitCode));
        Assert.Equal(handle.StartedAt + TimeSpan.FromSeconds(5), status.FinishedAt);
    }

    [Fact]
    public async Task StartContainer_WithAStartDelay_IsNotStartedBeforeIt()
    {
        var runtime = new HollowContainerRuntime(new HollowRuntimeOptions { StartDelay = TimeSpan.FromSeconds(2) }, _time);

        var start = runtime.StartContainerAsync(Sandbox, new ContainerSpec("app", "nginx"), CancellationToken.None);
        Assert.False(start.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(2));

        var handle = await start.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(_time.GetUtcNow(), handle.StartedAt);
        Assert.Equal(1, runtime.Count);
    }

    [Fact]
    public async Task Exec_InARunningContainer_SucceedsWithoutOutput_AndAnUnknownContainerIsRefused()
    {
        var runtime = new HollowContainerRuntime(new HollowRuntimeOptions(), _time);
        var handle = await runtime.StartContainerAsync(Sandbox, new ContainerSpec("app", "nginx"), CancellationToken.None);

        Assert.Equal(new ExecResult(0, "", false), await runtime.ExecAsync(handle, ["cat", "/tmp/ready"], TimeSpan.FromSeconds(1)));
        runtime.RemoveContainer(handle);
        Assert.Throws<KeyNotFoundException>(() => runtime.GetStatus(handle));
        Assert.Equal(0, runtime.Count);
    }
}
