namespace KubeMesh.Kubelet.Probes;

/// <summary>One probe attempt: whether it passed and, when it did not, why (the text of the Unhealthy event).</summary>
public sealed record ProbeResult(bool Success, string Message)
{
    public static ProbeResult Ok { get; } = new(true, "");

    public static ProbeResult Fail(string message) => new(false, message);
}
