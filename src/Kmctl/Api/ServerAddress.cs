namespace KubeMesh.Kmctl.Api;

/// <summary>Where the api-server is: --server, then KUBEMESH_SERVER, then http://127.0.0.1:6443.</summary>
public static class ServerAddress
{
    public const string Default = "http://127.0.0.1:6443";
    public const string EnvironmentVariable = "KUBEMESH_SERVER";

    public static string Resolve(string? flag)
    {
        var address = !string.IsNullOrWhiteSpace(flag) ? flag
            : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env ? env
            : Default;
        return address.Contains("://", StringComparison.Ordinal) ? address : "http://" + address;
    }
}
