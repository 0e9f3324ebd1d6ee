namespace KubeMesh.ApiServer.Authentication;

/// <summary>
/// The user the request being served was authenticated as (after impersonation), for the admission steps deep in
/// the registry: set by the gRPC interceptor and the REST filter for the rest of the request's flow. Null for the
/// api-server's own work (bootstrapping, repairs), which admission does not restrict.
/// </summary>
public static class RequestUser
{
    private static readonly AsyncLocal<UserInfo?> Holder = new();

    public static UserInfo? Current
    {
        get => Holder.Value;
        set => Holder.Value = value;
    }
}
