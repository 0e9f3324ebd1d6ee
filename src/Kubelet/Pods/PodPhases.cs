using KubeMesh.Api.Core.V1;

namespace KubeMesh.Kubelet.Pods;

/// <summary>The pod phase from its containers' statuses, by the kubelet's rules (getPhase in kubelet_pods.go).</summary>
public static class PodPhases
{
    public const string Pending = "Pending";
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";

    public static bool IsTerminal(string? phase) => phase is Succeeded or Failed;

    public static string Compute(PodSpec spec, IReadOnlyList<ContainerStatus> initStatuses, IReadOnlyList<ContainerStatus> statuses)
    {
        var restartPolicy = string.IsNullOrEmpty(spec.RestartPolicy) ? "Always" : spec.RestartPolicy;
        int pendingInitialization = 0, failedInitialization = 0;
        foreach (var init in spec.InitContainers)
        {
            var status = initStatuses.FirstOrDefault(s => s.Name == init.Name);
            switch (status?.State)
            {
                case null:
                case { Running: not null }:
                    pendingInitialization++;
                    break;
                case { Terminated: { } terminated }:
                    if (terminated.ExitCode != 0)
                    {
                        failedInitialization++;
                    }

                    break;
                case { Waiting: not null }:
                    if (status.LastState?.Terminated is { ExitCode: not 0 })
                    {
                        failedInitialization++;
                    }
                    else
                    {
                        pendingInitialization++;
                    }

                    break;
                default:
                    pendingInitialization++;
                    break;
            }
        }

        int unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
        foreach (var container in spec.Containers)
        {
            var status = statuses.FirstOrDefault(s => s.Name == container.Name);
            switch (status?.State)
            {
                case null:
                    unknown++;
                    break;
                case { Running: not null }:
                    running++;
                    break;
                case { Terminated: { } terminated }:
                    stopped++;
                    if (terminated.ExitCode == 0)
                    {
                        succeeded++;
                    }

                    break;
                case { Waiting: not null }:
                    if (status.LastState?.Terminated is not null)
                    {
                        stopped++;
                    }
                    else
                    {
                        waiting++;
                    }

                    break;
                default:
                    unknown++;
                    break;
            }
        }

        if (failedInitialization > 0 && restartPolicy == "Never")
        {
            return Failed;
        }

        if (pendingInitialization > 0 || failedInitialization > 0 || waiting > 0)
        {
            return Pending;
        }

        if (running > 0 && unknown == 0)
        {
            return Running;
        }

        if (running == 0 && stopped > 0 && unknown == 0)
        {
            if (restartPolicy == "Always")
            {
                return Running;
            }

            if (stopped == succeeded)
            {
                return Succeeded;
            }

            return restartPolicy == "Never" ? Failed : Running;
        }

        return Pending;
    }
}
