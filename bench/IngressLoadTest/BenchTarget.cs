namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>What a run measures: the ingress URL and host, one pod to hit directly, and every pod for nginx.</summary>
/// <param name="BaselineIngressUrl">The baseline controller's, when one runs beside ours.</param>
internal sealed record BenchTarget(string IngressUrl, string Host, IReadOnlyList<string> Pods, string? BaselineIngressUrl = null);
