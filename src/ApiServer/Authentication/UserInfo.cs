namespace KubeMesh.ApiServer.Authentication;

/// <summary>
/// Who a request was authenticated as (k8s.io/apiserver's user.Info): a name, a uid, groups and extra attributes.
/// Authorization decides on nothing else.
/// </summary>
public sealed record UserInfo(string Name, string Uid, IReadOnlyList<string> Groups, IReadOnlyDictionary<string, IReadOnlyList<string>> Extra)
{
    public const string Anonymous = "system:anonymous";
    public const string AllAuthenticated = "system:authenticated";
    public const string AllUnauthenticated = "system:unauthenticated";
    public const string SystemMasters = "system:masters";
    public const string NodesGroup = "system:nodes";
    public const string NodeUserPrefix = "system:node:";
    public const string ServiceAccountPrefix = "system:serviceaccount:";

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoExtra = new Dictionary<string, IReadOnlyList<string>>();

    public UserInfo(string name, string uid, IEnumerable<string> groups)
        : this(name, uid, groups.ToArray(), NoExtra)
    {
    }

    /// <summary>The identity of a request without credentials, when anonymous requests are enabled.</summary>
    public static UserInfo AnonymousUser { get; } = new(Anonymous, "", [AllUnauthenticated]);

    public bool InGroup(string group) => Groups.Contains(group, StringComparer.Ordinal);

    /// <summary>The node a kubelet's identity names (system:node:NAME in system:nodes), else null.</summary>
    public string? NodeName =>
        Name.StartsWith(NodeUserPrefix, StringComparison.Ordinal) && Name.Length > NodeUserPrefix.Length && InGroup(NodesGroup)
            ? Name[NodeUserPrefix.Length..]
            : null;

    /// <summary>Every authenticated user is in system:authenticated, as kube-apiserver's group adder makes it.</summary>
    public UserInfo WithAuthenticatedGroup() =>
        Name == Anonymous || InGroup(AllAuthenticated) ? this : this with { Groups = [.. Groups, AllAuthenticated] };
}
