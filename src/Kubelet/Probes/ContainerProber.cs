using System.Diagnostics;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using KubeMesh.Kubelet.Runtime;

namespace KubeMesh.Kubelet.Probes;

/// <summary>
/// Probes one container instance for its lifetime (the kubelet's probe workers): the startup probe first, until it
/// passes; then liveness and readiness side by side, each every periodSeconds after initialDelaySeconds. Readiness
/// flips after successThreshold passes or failureThreshold failures in a row; failureThreshold failures of startup
/// or liveness ask for the container to be killed. Every failed attempt is reported (Unhealthy events). Until the
/// container is first ready, each startup and readiness attempt is a span under its start (<see cref="Trace"/>).
/// </summary>
public sealed class ContainerProber(IProbeRunner runner, Container container, ContainerHandle handle, string podIp, TimeProvider time, IProbeListener listener)
{
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private volatile bool _ready;

    /// <summary>Where the attempts before the first ready verdict are traced; null for none.</summary>
    public ProbeTrace? Trace { get; init; }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>The instance ended: no more probes.</summary>
    public void Stop()
    {
        _stop.Cancel();
        _ = _loop.ContinueWith(_ => _stop.Dispose(), TaskScheduler.Default);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (container.StartupProbe is { } startup && !await UntilVerdictAsync(ProbeKind.Startup, startup, cancellationToken))
            {
                return;
            }

            listener.Started();
            _ready |= container.ReadinessProbe is null;
            var loops = new List<Task>();
            if (container.LivenessProbe is { } liveness)
            {
                loops.Add(UntilVerdictAsync(ProbeKind.Liveness, liveness, cancellationToken));
            }

            if (container.ReadinessProbe is { } readiness)
            {
                loops.Add(ReadinessAsync(readiness, cancellationToken));
            }

            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Startup: true once it passes. Liveness: runs until failureThreshold failures in a row, then asks for a kill.</summary>
    private async Task<bool> UntilVerdictAsync(ProbeKind kind, Probe probe, CancellationToken cancellationToken)
    {
        var failures = 0;
        await InitialDelayAsync(probe, cancellationToken);
        while (true)
        {
            var result = await AttemptAsync(kind, probe, cancellationToken);
            if (result.Success)
            {
                failures = 0;
                if (kind == ProbeKind.Startup)
                {
                    return true;
                }
            }
            else if (++failures >= FailureThreshold(probe))
            {
                listener.Failed(kind, result.Message);
                return false;
            }

            await DelayAsync(Period(probe), cancellationToken);
        }
    }

    private async Task ReadinessAsync(Probe probe, CancellationToken cancellationToken)
    {
        int successes = 0, failures = 0;
        await InitialDelayAsync(probe, cancellationToken);
        while (true)
        {
            var result = await AttemptAsync(ProbeKind.Readiness, probe, cancellationToken);
            if (result.Success)
            {
                failures = 0;
                if (++successes >= Math.Max(probe.SuccessThreshold, 1))
                {
                    listener.ReadinessChanged(true);
                    _ready = true;
                }
            }
            else
            {
                successes = 0;
                if (++failures >= FailureThreshold(probe))
                {
                    listener.ReadinessChanged(false);
                }
            }

            await DelayAsync(Period(probe), cancellationToken);
        }
    }

    private async Task<ProbeResult> AttemptAsync(ProbeKind kind, Probe probe, CancellationToken cancellationToken)
    {
        ProbeResult result;
        using var activity = StartSpan(kind);
        try
        {
            result = await runner.RunAsync(probe, container, handle, podIp, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            result = ProbeResult.Fail(e.Message);
        }

        if (!result.Success)
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.Message);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (!result.Success)
        {
            listener.Unhealthy(kind, result.Message);
        }

        return result;
    }

    /// <summary>A span for the attempts that decide when the container is first ready; liveness and later probes are not traced.</summary>
    private Activity? StartSpan(ProbeKind kind) =>
        Trace is { } trace && !_ready && kind != ProbeKind.Liveness && TraceContextSet.Keeps(trace.Started)
            ? KubeletTracing.Source.StartActivity($"probe {kind.ToString().ToLowerInvariant()} {trace.Container}", ActivityKind.Internal, trace.Started)
            : null;

    /// <summary>
    /// initialDelaySeconds, or one period when there is none: this runtime reports a container started as soon as its
    /// init runs, before the program had any time to listen, where a kubelet first sees it running a sync later.
    /// </summary>
    private Task InitialDelayAsync(Probe probe, CancellationToken cancellationToken) =>
        DelayAsync(probe.InitialDelaySeconds > 0 ? probe.InitialDelaySeconds : Period(probe), cancellationToken);

    private static int FailureThreshold(Probe probe) => probe.FailureThreshold > 0 ? probe.FailureThreshold : 3;

    private static int Period(Probe probe) => probe.PeriodSeconds > 0 ? probe.PeriodSeconds : 10;

    private Task DelayAsync(int seconds, CancellationToken cancellationToken) =>
        seconds > 0 ? Task.Delay(TimeSpan.FromSeconds(seconds), time, cancellationToken) : Task.CompletedTask;
}
