using Grpc.Core;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.ApiServer.Authentication;
using KubeMesh.ApiServer.Authorization;

namespace KubeMesh.ApiServer.Services;

/// <summary>
/// The caller's own identity and permissions over gRPC: SelfSubjectReview (kmctl auth whoami) and
/// SelfSubjectAccessReview (kmctl auth can-i), answered for the user the call was admitted as.
/// </summary>
public sealed class AuthApi(RequestAuthorizer authorizer) : AuthService.AuthServiceBase
{
    public override Task<Api.ApiServer.V1.UserInfo> WhoAmI(WhoAmIRequest request, ServerCallContext context) =>
        Task.FromResult(ToMessage(Caller()));

    public override Task<AccessReviewResponse> CanI(AccessReviewRequest request, ServerCallContext context)
    {
        var user = Caller();
        var attributes = request.NonResourcePath.Length > 0
            ? AuthorizationAttributes.NonResource(user, Required("verb", request.Verb), request.NonResourcePath)
            : new AuthorizationAttributes(user, Required("verb", request.Verb))
            {
                Namespace = request.Namespace,
                ApiGroup = request.Group,
                ApiVersion = request.Version,
                Resource = Required("resource", request.Resource),
                Subresource = request.Subresource,
                Name = request.Name,
            };
        var result = authorizer.Authorize(attributes);
        return Task.FromResult(new AccessReviewResponse
        {
            Allowed = result.Allowed,
            Denied = result.Decision == Decision.Deny,
            Reason = result.Reason,
        });
    }

    public static Api.ApiServer.V1.UserInfo ToMessage(Authentication.UserInfo user)
    {
        var message = new Api.ApiServer.V1.UserInfo { Username = user.Name, Uid = user.Uid };
        message.Groups.Add(user.Groups);
        foreach (var (key, values) in user.Extra)
        {
            message.Extra[key] = new ExtraValue { Items = { values } };
        }

        return message;
    }

    /// <summary>Set by the interceptor for every call it admits; absent only when the call bypassed it.</summary>
    private static Authentication.UserInfo Caller() =>
        RequestUser.Current ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "Unauthorized"));

    private static string Required(string field, string value) =>
        value.Length > 0 ? value : throw Registry.ApiErrors.BadRequest($"{field}: Required value");
}
