namespace KubeMesh.ApiServer.Authentication.ServiceAccounts;

/// <summary>What a service-account token says: the account, and the pod it is bound to when it is.</summary>
public sealed record ServiceAccountClaims(string Namespace, string Name, string Uid, string? PodName, string? PodUid, string TokenId)
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

        return new UserInfo(UserName(Namespace, Name), Uid, [.. Groups(Namespace), UserInfo.AllAuthenticated], extra);
    }
}
