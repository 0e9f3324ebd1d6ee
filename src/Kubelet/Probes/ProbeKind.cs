namespace KubeMesh.Kubelet.Probes;

/// <summary>The three probes a container may have; the names are those Kubernetes writes in events.</summary>
public enum ProbeKind
{
    Startup,
    Liveness,
    Readiness,
}
