using KubeMesh.ApiServer.Authentication;
using KubeMesh.ApiServer.Rest;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Authorization;

/// <summary>The REST API's authentication and authorization, on the <see cref="RequestInfo"/> of each request.</summary>
public sealed class AuthorizationFilter(RequestGate gate) : IRequestFilter
{
    public Task ApplyAsync(HttpContext context, RequestInfo info)
    {
        try
        {
            gate.Admit(context, user => Attributes(user, info, context.Request.Query["fieldSelector"].ToString()));
        }
        catch (AuthenticationException)
        {
            throw new RestException(401, "Unauthorized", "Unauthorized");
        }

        return Task.CompletedTask;
    }

    public static AuthorizationAttributes Attributes(UserInfo user, RequestInfo info, string? fieldSelector = null)
    {
        if (!info.IsResourceRequest)
        {
            return AuthorizationAttributes.NonResource(user, info.Verb, info.Path);
        }

        // Exec streams commands into a pod: always "create" on pods/exec, as kube-apiserver asks of websocket upgrades.
        var verb = info.Resource == "pods" && info.Subresource is "exec" or "attach" or "portforward" ? "create" : info.Verb;
        return new AuthorizationAttributes(user, verb)
        {
            ApiGroup = info.ApiGroup,
            ApiVersion = info.ApiVersion,
            Namespace = info.Namespace,
            Resource = info.Resource,
            Subresource = info.Subresource,
            Name = info.Name.Length == 0 && info.Verb is "list" or "watch" ? AuthorizationAttributes.NameFromFieldSelector(fieldSelector) : info.Name,
        };
    }
}
