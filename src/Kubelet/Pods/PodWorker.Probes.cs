using System.Diagnostics;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using KubeMesh.Kubelet.Probes;
using KubeMesh.Kubelet.Runtime;

namespace KubeMesh.Kubelet.Pods;

public sealed partial class PodWorker
{
    /// <summary>
    /// Starts probing a new instance when its container has probes; otherwise it is started (and ready) at once. The
    /// probes until the container is first ready are spans under its start (<paramref name="started"/>), and the sync
    /// that reports it ready is part of the same trace.
    /// </summary>
    private void StartProber(ContainerSlot slot, ContainerHandle handle, ActivityContext started)
    {
        var spec = slot.Spec;
        slot.StartupPassed = spec.StartupProbe is null;
        slot.Ready = spec.ReadinessProbe is null && spec.StartupProbe is null;
        if (spec.StartupProbe is null && spec.LivenessProbe is null && spec.ReadinessProbe is null)
        {
            return;
        }

        var target = $"{Pod.Metadata.Namespace}/{Pod.Metadata.Name}/{slot.Name}";
        var prober = new ContainerProber(_context.Probes, spec, handle, _podIp, _context.Time, new Listener(this, slot, handle, started))
        {
            Trace = new ProbeTrace(started, target),
        };
        slot.Prober = prober;
        prober.Start();
    }

    /// <summary>Probe results of one instance, applied only while that instance is still the slot's current one.</summary>
    private sealed class Listener(PodWorker worker, ContainerSlot slot, ContainerHandle handle, ActivityContext started) : IProbeListener
    {
        private bool Current => ReferenceEquals(slot.Handle, handle) && slot.IsRunning;

        public void Started()
        {
            if (Current)
            {
                slot.StartupPassed = true;
                slot.Ready = slot.Spec.ReadinessProbe is null;
                worker.Wake(started);
            }
        }

        public void ReadinessChanged(bool ready)
        {
            if (Current && slot.Ready != ready)
            {
                slot.Ready = ready;

                // Becoming ready completes the start; later flips are the container's own doing.
                worker.Wake(ready && !slot.WasReady ? started : default);
                slot.WasReady |= ready;
            }
        }

        public void Unhealthy(ProbeKind kind, string message)
        {
            if (Current)
            {
                worker._context.Events.Event(worker.Pod, EventTypes.Warning, "Unhealthy", $"{kind} probe failed: {message}");
            }
        }

        public void Failed(ProbeKind kind, string message)
        {
            if (!Current)
            {
                return;
            }

            var pod = worker.Pod;
            worker._context.Events.Event(pod, EventTypes.Normal, "Killing", $"Container {slot.Name} failed {kind.ToString().ToLowerInvariant()} probe, will be restarted");
            var probe = kind == ProbeKind.Startup ? slot.Spec.StartupProbe : slot.Spec.LivenessProbe;
            var seconds = probe.HasTerminationGracePeriodSeconds ? probe.TerminationGracePeriodSeconds
                : pod.Spec.HasTerminationGracePeriodSeconds ? pod.Spec.TerminationGracePeriodSeconds : 30;

            // The exit is seen like any other (the worker waits on it) and restartPolicy decides what follows.
            _ = Task.Run(() => worker._context.Runtime.StopContainerAsync(handle, TimeSpan.FromSeconds(Math.Max(seconds, 0))));
        }
    }
}
