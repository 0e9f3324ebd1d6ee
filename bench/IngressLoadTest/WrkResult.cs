namespace KubeMesh.Bench.IngressLoadTest;

internal sealed record WrkResult(string Name, double RequestsPerSecond, double P99Milliseconds, long Errors, string ErrorDetail, string LoadBefore);
