using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest;

/// <summary>
/// Reads a <see cref="RequestInfo"/> from the URL and method as kube-apiserver's RequestInfoFactory does:
/// /api/v1/namespaces/NS/pods/NAME/log is a "get" of pods/log; a GET without a name is a list, or a watch with
/// watch=true; a DELETE without a name is a deletecollection.
/// </summary>
public static class RequestInfoResolver
{
    private static readonly HashSet<string> NamespaceSubresources = ["status", "finalize"];

    public static RequestInfo Resolve(string method, string path, IQueryCollection query)
    {
        var info = new RequestInfo { Path = path, Verb = method.ToLowerInvariant() };
        var parts = path.Trim('/').Split('/', StringSplitOptions.None);
        if (parts.Length < 2 || parts[0] is not ("api" or "apis") || parts.Any(p => p.Length == 0))
        {
            return info;
        }

        var prefix = parts[0];
        var rest = parts.AsSpan(1);
        var group = "";
        if (prefix == "apis")
        {
            if (rest.Length < 2)
            {
                return info with { ApiPrefix = prefix, ApiGroup = rest[0] };
            }

            group = rest[0];
            rest = rest[1..];
        }

        var version = rest[0];
        rest = rest[1..];
        if (rest.Length == 0)
        {
            return info with { ApiPrefix = prefix, ApiGroup = group, ApiVersion = version };
        }

        var verb = method.ToUpperInvariant() switch
        {
            "POST" => "create",
            "GET" or "HEAD" => "get",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => method.ToLowerInvariant(),
        };

        var ns = "";
        if (rest[0] == "namespaces" && rest.Length > 1)
        {
            ns = rest[1];
            // namespaces/NAME/status is the namespace's own subresource; namespaces/NAME/pods/... a namespaced resource.
            if (rest.Length > 2 && !NamespaceSubresources.Contains(rest[2]))
            {
                rest = rest[2..];
            }
        }

        var resource = rest[0];
        var name = rest.Length >= 2 ? rest[1] : "";
        var subresource = rest.Length >= 3 ? rest[2] : "";
        if (name.Length == 0 && verb == "get")
        {
            verb = IsTrue(query["watch"]) ? "watch" : "list";
        }
        else if (name.Length == 0 && verb == "delete")
        {
            verb = "deletecollection";
        }

        return info with
        {
            IsResourceRequest = true,
            Verb = verb,
            ApiPrefix = prefix,
            ApiGroup = group,
            ApiVersion = version,
            Namespace = ns,
            Resource = resource,
            Name = name,
            Subresource = subresource,
            Parts = rest.ToArray(),
        };
    }

    public static bool IsTrue(string? value) => value is "true" or "1" or "True";
}
