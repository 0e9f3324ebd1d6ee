using KubeMesh.ApiServer.Authorization;
using KubeMesh.ApiServer.Registry;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Authentication;

/// <summary>
/// kube-apiserver's impersonation (kubectl --as, --as-group): the Impersonate-User, Impersonate-Group,
/// Impersonate-Uid and Impersonate-Extra-KEY headers (gRPC metadata of the same names) make the request act as
/// another user, once the real user is allowed the impersonate verb on users (or serviceaccounts), groups, uids and
/// userextras/KEY of the values asked for.
/// </summary>
public static class Impersonation
{
    public const string UserHeader = "Impersonate-User";
    public const string GroupHeader = "Impersonate-Group";
    public const string UidHeader = "Impersonate-Uid";
    public const string ExtraHeaderPrefix = "Impersonate-Extra-";

    /// <summary>The user the request acts as: <paramref name="user"/> itself when it impersonates no one.</summary>
    /// <exception cref="ApiException">BadRequest for groups without a user; Forbidden when an impersonation is not allowed.</exception>
    public static UserInfo Apply(HttpRequest request, UserInfo user, RequestAuthorizer authorizer)
    {
        var name = request.Headers[UserHeader].ToString();
        var groups = request.Headers[GroupHeader].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        var uid = request.Headers[UidHeader].ToString();
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (header, values) in request.Headers)
        {
            if (header.StartsWith(ExtraHeaderPrefix, StringComparison.OrdinalIgnoreCase) && header.Length > ExtraHeaderPrefix.Length)
            {
                extra[Uri.UnescapeDataString(header[ExtraHeaderPrefix.Length..]).ToLowerInvariant()] = values.Select(v => v ?? "").ToArray();
            }
        }

        if (name.Length == 0)
        {
            return groups.Count > 0 || uid.Length > 0 || extra.Count > 0
                ? throw ApiErrors.BadRequest($"requested impersonation of groups, uid or extra without impersonating a user (set {UserHeader})")
                : user;
        }

        if (name.StartsWith(UserInfo.ServiceAccountPrefix, StringComparison.Ordinal) && name[UserInfo.ServiceAccountPrefix.Length..].Split(':') is [var ns, var sa])
        {
            authorizer.Require(new AuthorizationAttributes(user, "impersonate") { Resource = "serviceaccounts", Namespace = ns, Name = sa });
            groups.AddRange(["system:serviceaccounts", $"system:serviceaccounts:{ns}"]);
        }
        else
        {
            authorizer.Require(new AuthorizationAttributes(user, "impersonate") { Resource = "users", Name = name });
        }

        foreach (var group in groups.Distinct(StringComparer.Ordinal))
        {
            authorizer.Require(new AuthorizationAttributes(user, "impersonate") { Resource = "groups", Name = group });
        }

        if (uid.Length > 0)
        {
            authorizer.Require(new AuthorizationAttributes(user, "impersonate") { ApiGroup = "authentication.k8s.io", Resource = "uids", Name = uid });
        }

        foreach (var (key, values) in extra)
        {
            foreach (var value in values)
            {
                authorizer.Require(new AuthorizationAttributes(user, "impersonate") { ApiGroup = "authentication.k8s.io", Resource = "userextras", Subresource = key, Name = value });
            }
        }

        var impersonated = new UserInfo(name, uid, groups.Distinct(StringComparer.Ordinal).ToArray(), extra);
        return name == UserInfo.Anonymous
            ? impersonated with { Groups = [.. impersonated.Groups.Append(UserInfo.AllUnauthenticated).Distinct(StringComparer.Ordinal)] }
            : impersonated.WithAuthenticatedGroup();
    }
}
