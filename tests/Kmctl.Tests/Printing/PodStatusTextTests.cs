using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Printing;
using static KubeMesh.Kmctl.Tests.Printing.TestObjects;

namespace KubeMesh.Kmctl.Tests.Printing;

public sealed class PodStatusTextTests
{
    [Fact]
    public void Of_RunningReadyContainer_IsRunningOneOfOne()
    {
        var s = PodStatusText.Of(Pod("web", TimeSpan.FromMinutes(5), Running("nginx")));
        Assert.Equal(("1/1", "Running", "0"), (s.ReadyText, s.Reason, s.RestartsText(Now)));
    }

    [Theory]
    [InlineData("ContainerCreating")]
    [InlineData("CrashLoopBackOff")]
    [InlineData("ErrImagePull")]
    public void Of_WaitingContainer_ShowsWaitingReason(string reason) =>
        Assert.Equal(reason, PodStatusText.Of(Pod("web", TimeSpan.FromMinutes(1), Waiting("nginx", reason))).Reason);

    [Theory]
    [InlineData("Completed", 0, "Completed")]
    [InlineData("Error", 1, "Error")]
    [InlineData("OOMKilled", 137, "OOMKilled")]
    [InlineData("", 3, "ExitCode:3")]
    public void Of_TerminatedContainer_ShowsTerminatedReason(string reason, int exitCode, string expected) =>
        Assert.Equal(expected, PodStatusText.Of(Pod("job", TimeSpan.FromMinutes(1), Terminated("main", reason, exitCode))).Reason);

    [Fact]
    public void Of_RestartedContainer_ShowsHowLongAgo()
    {
        var status = Waiting("nginx", "CrashLoopBackOff", restarts: 5);
        status.LastState = new ContainerState { Terminated = new ContainerStateTerminated { ExitCode = 1, FinishedAt = Ago(TimeSpan.FromSeconds(5)) } };
        Assert.Equal("5 (5s ago)", PodStatusText.Of(Pod("web", TimeSpan.FromMinutes(3), status)).RestartsText(Now));
    }

    [Fact]
    public void Of_InitContainerRunning_IsInitZeroOfOne()
    {
        var pod = Pod("web", TimeSpan.FromSeconds(10), Waiting("nginx", "PodInitializing"));
        pod.Spec.InitContainers.Add(new Container { Name = "init", Image = "busybox" });
        pod.Status.InitContainerStatuses.Add(Running("init", ready: false));
        pod.Status.Phase = "Pending";
        Assert.Equal(("0/1", "Init:0/1"), (PodStatusText.Of(pod).ReadyText, PodStatusText.Of(pod).Reason));
    }

    [Theory]
    [InlineData("Error", "Init:Error")]
    [InlineData("CrashLoopBackOff", "Init:CrashLoopBackOff")]
    public void Of_InitContainerFailing_IsPrefixedWithInit(string reason, string expected)
    {
        var pod = Pod("web", TimeSpan.FromSeconds(10), Waiting("nginx", "PodInitializing"));
        pod.Spec.InitContainers.Add(new Container { Name = "init", Image = "busybox" });
        pod.Status.InitContainerStatuses.Add(reason == "Error" ? Terminated("init", "Error", 1) : Waiting("init", reason));
        Assert.Equal(expected, PodStatusText.Of(pod).Reason);
    }

    [Fact]
    public void Of_DeletionTimestampSet_IsTerminating()
    {
        var pod = Pod("web", TimeSpan.FromMinutes(1), Running("nginx"));
        pod.Metadata.DeletionTimestamp = Ago(TimeSpan.Zero);
        Assert.Equal("Terminating", PodStatusText.Of(pod).Reason);
    }
}
