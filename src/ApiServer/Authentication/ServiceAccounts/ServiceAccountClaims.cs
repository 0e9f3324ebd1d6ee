namespace KubeMesh.ApiServer.Authentication.ServiceAccounts;

/// <summary>
/// What a service-account token says: the account, and the object it is bound to when it is (a pod, a secret or a
/// node), with the node a bound pod runs on (kube's ServiceAccountTokenPodNodeInfo).
/// </summary>
public sealed record ServiceAccountClaims(
    string Namespace, string Name, string Uid, string? PodName, string? PodUid, string TokenId,
    string? SecretName = null, string? SecretUid = null, string? NodeName = null, string? NodeUid = null)
{
    /// <summary>system:serviceaccount:NAMESPACE:NAME, the user a token of the account authenticates as.</summary>
    public static string UserName(string ns, string name) => $"{UserInfo.ServiceAccountPrefix}{ns}:{name}";

    /// <summary>system:serviceaccounts and system:serviceaccounts:NAMESPACE, the groups of every account.</summary>
    public static IReadOnlyList<string> Groups(string ns) => [ServiceAccountsGroup, $"{ServiceAccountsGroup}:{ns}"];

    public const string ServiceAccountsGroup = "system:serviceaccounts";

    public UserInfo ToUser()
    {
        var extra = new Dictionary<string, IReadOnlyList<string>> { ["authentication.kubernetes.io/credential-id"] = [$"JTI={TokenId}"] };
        if (PodName is not null && PodUid is not null)
        {
            extra["authentication.kubernetes.io/pod-name"] = [PodName];
            extra["authentication.kubernetes.io/pod-uid"] = [PodUid];
        }

        if (NodeName is not null && NodeUid is not null)
        {
            extra["authentication.kubernetes.io/node-name"] = [NodeName];
            extra["authentication.kubernetes.io/node-uid"] = [NodeUid];
        }

        return new UserInfo(UserName(Namespace, Name), Uid, [.. Groups(Namespace), UserInfo.AllAuthenticated], extra);
    }
}
