using System.Diagnostics;
using System.Globalization;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using KubeMesh.Kubelet.Runtime;

namespace KubeMesh.Kubelet.Pods;

public sealed partial class PodWorker
{
    private static readonly TimeSpan ConfigRetry = TimeSpan.FromSeconds(2);

    private string RestartPolicy => string.IsNullOrEmpty(Pod.Spec.RestartPolicy) ? "Always" : Pod.Spec.RestartPolicy;

    private static bool ShouldRestart(string restartPolicy, int exitCode) =>
        restartPolicy == "Always" || (restartPolicy == "OnFailure" && exitCode != 0);

    /// <summary>
    /// Takes over what an earlier kubelet reported: restart counts, finished init containers and how the last
    /// instances ended. Containers reported running were killed with that kubelet, so they count as exited
    /// (SIGKILL) and are restarted per restartPolicy like any other exit.
    /// </summary>
    private void AdoptReportedStatus(Pod pod)
    {
        if (pod.Status is null)
        {
            return;
        }

        _startTime = pod.Status.StartTime;
        _podIp = pod.Status.PodIp;
        _terminal = PodPhases.IsTerminal(pod.Status.Phase);
        var now = KubeTime.Stamp(_context.Time.GetUtcNow());
        foreach (var (slot, reported) in _initSlots.Select(s => (s, pod.Status.InitContainerStatuses.FirstOrDefault(r => r.Name == s.Name)))
            .Concat(_slots.Select(s => (s, pod.Status.ContainerStatuses.FirstOrDefault(r => r.Name == s.Name)))))
        {
            if (reported is null || string.IsNullOrEmpty(reported.ContainerId))
            {
                continue;
            }

            slot.RestartCount = reported.RestartCount;
            slot.ContainerId = reported.ContainerId;
            slot.Previous = reported.LastState?.Terminated;
            if (reported.State?.Running is { } running)
            {
                slot.Terminated = new ContainerStateTerminated
                {
                    ExitCode = 137,
                    Signal = 9,
                    Reason = "Error",
                    Message = "stopped together with the previous kubelet",
                    StartedAt = running.StartedAt,
                    FinishedAt = now,
                    ContainerId = reported.ContainerId,
                };
            }
            else if (reported.State?.Terminated is { } terminated)
            {
                slot.Terminated = terminated;
            }
            else if (reported.LastState?.Terminated is { } last)
            {
                slot.Terminated = last;
                slot.Previous = null;
            }
        }
    }

    private void ObserveExits()
    {
        foreach (var slot in _initSlots.Concat(_slots).Where(s => s.IsRunning))
        {
            var status = _context.Runtime.GetStatus(slot.Handle!);
            if (status.State == Runtime.ContainerState.Exited)
            {
                slot.MarkExited(status);
                _context.Runtime.RemoveContainer(slot.Handle!);
            }
        }
    }

    /// <returns>How long until a waiting container should be tried again; null to wait for a change.</returns>
    private async Task<TimeSpan?> StartContainersAsync(Pod pod, CancellationToken cancellationToken)
    {
        foreach (var slot in _initSlots)
        {
            if (slot.Succeeded)
            {
                continue;
            }

            if (slot.IsRunning || (slot.Terminated is not null && RestartPolicy == "Never"))
            {
                return null;
            }

            // A failed init container is retried (Always and OnFailure alike) before anything after it runs.
            return await TryStartAsync(pod, slot, cancellationToken);
        }

        TimeSpan? wake = null;
        foreach (var slot in _slots)
        {
            if (slot.IsRunning || (slot.Terminated is not null && !ShouldRestart(RestartPolicy, slot.Terminated.ExitCode)))
            {
                continue;
            }

            if (await TryStartAsync(pod, slot, cancellationToken) is { } retry)
            {
                wake = wake is null || retry < wake ? retry : wake;
            }
        }

        return wake;
    }

    private async Task<TimeSpan?> TryStartAsync(Pod pod, ContainerSlot slot, CancellationToken cancellationToken)
    {
        using var activity = KubeletTracing.Source.StartActivity($"start container {pod.Metadata.Namespace}/{pod.Metadata.Name}/{slot.Name}");
        activity?.SetTag("container.image.name", slot.Spec.Image);
        var retry = await StartContainerAsync(pod, slot, activity, cancellationToken);
        if (retry is not null && slot.Waiting is { } waiting)
        {
            activity?.SetStatus(ActivityStatusCode.Error, waiting.Reason);
        }

        return retry;
    }

    private async Task<TimeSpan?> StartContainerAsync(Pod pod, ContainerSlot slot, Activity? activity, CancellationToken cancellationToken)
    {
        var now = _context.Time.GetUtcNow();
        var key = $"{Uid}/{slot.Name}";
        if (slot.Terminated is not null)
        {
            if (_context.BackOff.IsInBackOff(key) && slot.RetryAt > now)
            {
                var delay = FormatDuration(slot.BackOffDelay);
                slot.Waiting = new ContainerStateWaiting
                {
                    Reason = "CrashLoopBackOff",
                    Message = $"back-off {delay} restarting failed container={slot.Name} pod={PodDescription(pod)}",
                };
                _context.Events.Event(pod, EventTypes.Warning, "BackOff", $"Back-off restarting failed container {slot.Name} in pod {PodDescription(pod)}");
                return slot.RetryAt - now;
            }

            slot.BackOffDelay = _context.BackOff.Next(key);
            slot.RetryAt = now + slot.BackOffDelay;
        }

        if (!await PullImageAsync(pod, slot, key, now))
        {
            // Report the back-off soon (ImagePullBackOff), then try again once it has passed.
            var untilRetry = slot.PullRetryAt!.Value - now;
            return slot.Waiting!.Reason == "ErrImagePull" ? TimeSpan.FromTicks(Math.Min(untilRetry.Ticks / 2, TimeSpan.FromSeconds(1).Ticks)) : untilRetry;
        }

        List<KeyValuePair<string, string>> env;
        try
        {
            env = await _context.Environment.ResolveAsync(pod, slot.Spec, _podIp, _context.HostIp, cancellationToken);
        }
        catch (ContainerConfigException e)
        {
            slot.Waiting = new ContainerStateWaiting { Reason = ContainerConfigException.Reason, Message = e.Message };
            _context.Events.Event(pod, EventTypes.Warning, "Failed", "Error: " + e.Message);
            return ConfigRetry;
        }

        var values = env.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var spec = new ContainerSpec(slot.Name, slot.Spec.Image)
        {
            Command = slot.Spec.Command.Select(c => EnvExpansion.Expand(c, values.GetValueOrDefault)).ToList(),
            Args = slot.Spec.Args.Select(a => EnvExpansion.Expand(a, values.GetValueOrDefault)).ToList(),
            Env = env,
            WorkingDir = slot.Spec.WorkingDir,
            Mounts = slot.Spec.VolumeMounts.Select(m => new ContainerMount(m.Name, m.MountPath, m.ReadOnly)).ToList(),
            Resources = ContainerResources.From(slot.Spec.Resources),
            Attempt = slot.Terminated is null ? slot.RestartCount : slot.RestartCount + 1,
            RunsToCompletion = slot.IsInit ? slot.Spec.RestartPolicy != "Always" : RestartPolicy != "Always",
        };

        try
        {
            var handle = await _context.Runtime.StartContainerAsync(_sandbox!, spec, cancellationToken);
            slot.MarkStarted(handle, "kubemesh://" + handle.Id);
            activity?.SetTag("container.id", slot.ContainerId);
            StartProber(slot, handle, activity?.Context ?? default);
            _ = _context.Runtime.WaitForExitAsync(handle, CancellationToken.None).ContinueWith(_ => _signal.Set(), TaskScheduler.Default);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            WorkTracing.Fail(activity, e);

            // As with a runtime's StartError: the instance counts as having run and failed, so restartPolicy and back-off apply.
            _context.Events.Event(pod, EventTypes.Warning, "Failed", "Error: " + e.Message);
            var stamp = KubeTime.Stamp(now);
            slot.Waiting = null;
            slot.Terminated = new ContainerStateTerminated { ExitCode = 128, Reason = "StartError", Message = e.Message, StartedAt = stamp, FinishedAt = stamp };
            return TimeSpan.Zero;
        }

        _context.Events.Event(pod, EventTypes.Normal, "Created", $"Created container {slot.Name}");
        _context.Events.Event(pod, EventTypes.Normal, "Started", $"Started container {slot.Name}");
        if (spec.Resources.CpuLimitMillis is { } cpu && _context.Runtime.CpuLimitsNotEnforcedReason is { } reason)
        {
            // Said where a user looks (kmctl describe pod), never silently ignored.
            _context.Events.Event(pod, EventTypes.Warning, "CPULimitNotEnforced",
                $"CPU limit {cpu}m of container {slot.Name} is not enforced: {reason}");
        }

        return null;
    }

    private Task<bool> PullImageAsync(Pod pod, ContainerSlot slot, string key, DateTimeOffset now)
    {
        var image = slot.Spec.Image;
        var pullKey = key + "/image";
        if (_context.BackOff.IsInBackOff(pullKey) && slot.PullRetryAt > now)
        {
            slot.Waiting = new ContainerStateWaiting
            {
                Reason = "ImagePullBackOff",
                Message = $"Back-off pulling image \"{image}\": ErrImagePull: {slot.PullError}",
            };
            _context.Events.Event(pod, EventTypes.Normal, "BackOff", $"Back-off pulling image \"{image}\"");
            return Task.FromResult(false);
        }

        using var pull = KubeletTracing.Source.StartActivity("pull image " + image);
        try
        {
            _context.Images.Resolve(image);
        }
        catch (ImagePullException e)
        {
            pull?.SetStatus(ActivityStatusCode.Error, e.Reason);
            slot.PullError = e.Message;
            slot.PullRetryAt = now + _context.BackOff.Next(pullKey);
            slot.Waiting = new ContainerStateWaiting { Reason = e.Reason, Message = e.Message };
            _context.Events.Event(pod, EventTypes.Warning, "Failed", e.Message);
            _context.Events.Event(pod, EventTypes.Warning, "Failed", "Error: " + e.Reason);
            return Task.FromResult(false);
        }

        _context.BackOff.Reset(pullKey);
        slot.PullRetryAt = null;
        _context.Events.Event(pod, EventTypes.Normal, "Pulled", $"Container image \"{image}\" already present on machine");
        return Task.FromResult(true);
    }

    /// <summary>name_namespace(uid), as the kubelet's format.Pod writes a pod.</summary>
    private static string PodDescription(Pod pod) => $"{pod.Metadata.Name}_{pod.Metadata.Namespace}({pod.Metadata.Uid})";

    /// <summary>Go's time.Duration formatting for whole back-off delays: 10s, 2m40s, 5m0s.</summary>
    internal static string FormatDuration(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1))
        {
            return ((int)duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        }

        if (duration < TimeSpan.FromMinutes(1))
        {
            return duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        }

        return $"{(int)duration.TotalMinutes}m{duration.Seconds}s";
    }
}
