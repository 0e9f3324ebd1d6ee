using KubeMesh.Client;

namespace KubeMesh.Kmctl.Api;

/// <summary>Where the api-server is (--server, then KUBEMESH_SERVER, then the default), always with a scheme.</summary>
public static class ServerAddress
{
    public const string Default = KubeMeshClient.DefaultServerAddress;

    public static string Resolve(string? flag)
    {
        var address = KubeMeshClient.ResolveServerAddress(flag);
        return address.Contains("://", StringComparison.Ordinal) ? address : "http://" + address;
    }
}
