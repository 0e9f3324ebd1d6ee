namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>What a run measures: the ingress URL and host, one pod to hit directly, and every pod for nginx.</summary>
internal sealed record BenchTarget(string IngressUrl, string Host, IReadOnlyList<string> Pods);
