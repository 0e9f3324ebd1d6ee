namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>One measured target: the URL wrk loads, and the wrk script that spreads it over several addresses, if any.</summary>
internal sealed record Column(string Name, string Url, string? Script);
