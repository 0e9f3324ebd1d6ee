using KubeMesh.ApiServer.Authentication;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Authorization;

/// <summary>
/// Where every request of both APIs is let in or refused, as kube-apiserver's WithAuthentication,
/// WithImpersonation and WithAuthorization filters: who is asking, as whom, and whether that one may.
/// </summary>
public sealed class RequestGate(RequestAuthenticator authenticator, RequestAuthorizer authorizer)
{
    /// <summary>
    /// The user the request acts as (impersonation applied), also set as <see cref="RequestUser.Current"/>. Null
    /// attributes: the handler authorizes each write the request becomes.
    /// </summary>
    /// <exception cref="AuthenticationException">401 / UNAUTHENTICATED.</exception>
    /// <exception cref="Registry.ApiException">403 / PERMISSION_DENIED, or 400 for a malformed impersonation.</exception>
    public UserInfo Admit(HttpContext context, Func<UserInfo, AuthorizationAttributes?> attributes)
    {
        var user = authenticator.Authenticate(context);
        user = Impersonation.Apply(context.Request, user, authorizer);
        RequestUser.Current = user;
        if (attributes(user) is { } asked)
        {
            authorizer.Require(asked);
        }

        return user;
    }
}
