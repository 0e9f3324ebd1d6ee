namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>
/// One measured target: the URL wrk loads, the wrk script that spreads it over several addresses, if any, and the
/// proxy process whose CPU time per request the run reports, if any.
/// </summary>
internal sealed record Column(string Name, string Url, string? Script, int? Proxy);
