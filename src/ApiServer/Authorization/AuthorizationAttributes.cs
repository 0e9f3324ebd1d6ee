using KubeMesh.ApiServer.Authentication;

namespace KubeMesh.ApiServer.Authorization;

/// <summary>
/// What a request asks to do (k8s.io/apiserver's authorizer.Attributes): a verb on a resource (with its API group,
/// namespace, subresource and name), or a verb on a non-resource path such as /healthz.
/// </summary>
public sealed record AuthorizationAttributes(UserInfo User, string Verb)
{
    public bool IsResourceRequest { get; init; } = true;

    public string ApiGroup { get; init; } = "";

    public string ApiVersion { get; init; } = "";

    public string Namespace { get; init; } = "";

    public string Resource { get; init; } = "";

    public string Subresource { get; init; } = "";

    public string Name { get; init; } = "";

    /// <summary>The path of a non-resource request.</summary>
    public string Path { get; init; } = "";

    /// <summary>
    /// The object a list or watch is narrowed to by a field selector "metadata.name=NAME", which kube-apiserver
    /// authorizes as a request for that name (so a kubelet may watch the one Secret its pod uses); else empty.
    /// </summary>
    public static string NameFromFieldSelector(string? selector)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return "";
        }

        foreach (var term in selector.Split(',', StringSplitOptions.TrimEntries))
        {
            var eq = term.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && term[..eq].TrimEnd('=', '!') == "metadata.name" && term[eq - 1] != '!')
            {
                return term[(eq + 1)..].TrimStart('=').Trim();
            }
        }

        return "";
    }

    public static AuthorizationAttributes NonResource(UserInfo user, string verb, string path) =>
        new(user, verb) { IsResourceRequest = false, Path = path };

    /// <summary>
    /// kube-apiserver's forbidden message: <c>pods is forbidden: User "x" cannot list resource "pods" in API group ""
    /// in the namespace "default"</c>, with the reason appended when an authorizer gave one.
    /// </summary>
    public string ForbiddenMessage(string reason)
    {
        string message;
        if (!IsResourceRequest)
        {
            message = $"forbidden: User \"{User.Name}\" cannot {Verb} path \"{Path}\"";
        }
        else
        {
            var resource = Subresource.Length > 0 ? $"{Resource}/{Subresource}" : Resource;
            var subject = Name.Length > 0 ? $"{resource} \"{Name}\"" : resource;
            var scope = Namespace.Length > 0 ? $" in the namespace \"{Namespace}\"" : " at the cluster scope";
            message = $"{subject} is forbidden: User \"{User.Name}\" cannot {Verb} resource \"{resource}\" in API group \"{ApiGroup}\"{scope}";
        }

        return reason.Length > 0 ? $"{message}: {reason}" : message;
    }
}

public enum Decision
{
    NoOpinion,
    Allow,
    Deny,
}

public readonly record struct AuthorizationResult(Decision Decision, string Reason)
{
    public static AuthorizationResult NoOpinion { get; } = new(Decision.NoOpinion, "");

    public bool Allowed => Decision == Decision.Allow;
}

/// <summary>One mode of kube-apiserver's --authorization-mode; the modes are asked in order until one decides.</summary>
public interface IAuthorizer
{
    AuthorizationResult Authorize(AuthorizationAttributes attributes);
}
