namespace KubeMesh.Kubelet.Probes;

/// <summary>What a container's prober reports to its pod worker; called from the prober's own tasks.</summary>
public interface IProbeListener
{
    /// <summary>The startup probe passed (or there is none): liveness and readiness probes begin.</summary>
    void Started();

    void ReadinessChanged(bool ready);

    /// <summary>One attempt failed (an Unhealthy event).</summary>
    void Unhealthy(ProbeKind kind, string message);

    /// <summary>Startup or liveness failed failureThreshold times in a row: the container must be killed.</summary>
    void Failed(ProbeKind kind, string message);
}
