namespace KubeMesh.Bench.IngressLoadTest;

/// <param name="ProxyCpuPerRequest">The proxy's CPU time per request in microseconds, or null without a proxy process.</param>
/// <param name="ProxyUserPerRequest">The user-space part of it.</param>
internal sealed record WrkResult(
    string Name, double RequestsPerSecond, double P99Milliseconds, long Errors, string ErrorDetail, string LoadBefore,
    double? ProxyCpuPerRequest = null, double? ProxyUserPerRequest = null);
