using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Printing;

namespace KubeMesh.Kmctl.Tests.Printing;

/// <summary>Fixed objects and a fixed clock for printer tests.</summary>
internal static class TestObjects
{
    public static readonly DateTimeOffset Now = new(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);

    public static Timestamp Ago(TimeSpan age) => Timestamp.FromDateTimeOffset(Now - age);

    public static Pod Pod(string name, TimeSpan age, params ContainerStatus[] statuses)
    {
        var pod = new Pod
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default", CreationTimestamp = Ago(age) },
            Spec = new PodSpec(),
            Status = new PodStatus { Phase = "Running" },
        };
        foreach (var status in statuses)
        {
            pod.Spec.Containers.Add(new Container { Name = status.Name, Image = "nginx" });
            pod.Status.ContainerStatuses.Add(status);
        }

        return pod;
    }

    public static ContainerStatus Running(string name, bool ready = true) =>
        new() { Name = name, Ready = ready, State = new ContainerState { Running = new ContainerStateRunning { StartedAt = Ago(TimeSpan.FromMinutes(1)) } } };

    public static ContainerStatus Waiting(string name, string reason, int restarts = 0) =>
        new() { Name = name, RestartCount = restarts, State = new ContainerState { Waiting = new ContainerStateWaiting { Reason = reason } } };

    public static ContainerStatus Terminated(string name, string reason, int exitCode) =>
        new() { Name = name, State = new ContainerState { Terminated = new ContainerStateTerminated { Reason = reason, ExitCode = exitCode } } };
}
