using Google.Protobuf;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Authentication;

namespace KubeMesh.ApiServer.Authorization;

public enum AdmissionOperation
{
    Create,
    Update,
    Delete,
}

/// <summary>
/// The validating admission steps that depend on who writes, run by the registry on every write a client asks for,
/// after defaulting and validation and before the store: RBAC's escalation check and NodeRestriction. The
/// api-server's own writes (no <see cref="RequestUser"/>) and an AlwaysAllow cluster pass untouched.
/// </summary>
public sealed class Admission(RequestAuthorizer authorizer, AuthorizationCaches caches)
{
    /// <param name="obj">The object as it would be stored; null for a delete.</param>
    /// <param name="old">The stored object for an update or delete.</param>
    /// <exception cref="Registry.ApiException">Forbidden.</exception>
    public void Validate(AdmissionOperation operation, ResourceKind kind, string subresource, IMessage? obj, IMessage? old)
    {
        if (RequestUser.Current is not { } user || authorizer.AlwaysAllows)
        {
            return;
        }

        if (authorizer.NodeEnabled && user.NodeName is { } node)
        {
            NodeRestriction.Validate(node, operation, kind, subresource, obj, old);
        }

        if (authorizer.Rbac is { } rbac && obj is not null && kind.Group == BootstrapPolicy.Group && !user.InGroup(UserInfo.SystemMasters))
        {
            RbacEscalation.Validate(user, kind, obj, old, rbac, authorizer, caches);
        }
    }
}
