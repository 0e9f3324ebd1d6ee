using KubeMesh.Client;

namespace KubeMesh.Kmctl.Api;

/// <summary>
/// Where the api-server is (--server, then KUBEMESH_SERVER, then the default), always with a scheme: one address, or
/// the addresses of several replicas separated by commas, which kmctl balances and fails over between.
/// </summary>
public static class ServerAddress
{
    public const string Default = KubeMeshClient.DefaultServerAddress;

    public static string Resolve(string? flag)
    {
        var address = KubeMeshClient.ResolveServerAddress(flag);
        return string.Join(',', address.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(a => a.Contains("://", StringComparison.Ordinal) ? a : "http://" + a));
    }
}
