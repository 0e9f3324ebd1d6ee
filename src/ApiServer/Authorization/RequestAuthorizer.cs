using KubeMesh.ApiServer.Authentication;
using KubeMesh.ApiServer.Registry;
using Microsoft.Extensions.Options;

namespace KubeMesh.ApiServer.Authorization;

/// <summary>
/// The authorizer chain of --authorization-mode, asked in order until one allows or denies; system:masters is
/// allowed everything whenever RBAC is on, as kube-apiserver's privileged-group authorizer does. What no authorizer
/// allows is refused with kube-apiserver's wording.
/// </summary>
public sealed class RequestAuthorizer
{
    private readonly IReadOnlyList<IAuthorizer> _chain;

    public RequestAuthorizer(IOptions<AuthorizationOptions> options, RbacAuthorizer rbac, NodeAuthorizer node)
    {
        var modes = options.Value.ParsedModes();
        Rbac = modes.Contains("RBAC") ? rbac : null;
        NodeEnabled = modes.Contains("Node");
        var chain = new List<IAuthorizer>();
        if (Rbac is not null)
        {
            chain.Add(new PrivilegedGroup());
        }

        foreach (var mode in modes)
        {
            chain.Add(mode switch
            {
                "AlwaysAllow" => new Always(Decision.Allow),
                "AlwaysDeny" => new Always(Decision.Deny),
                "Node" => node,
                _ => rbac,
            });
        }

        _chain = chain;
        AlwaysAllows = modes[0] == "AlwaysAllow";
    }

    /// <summary>The RBAC authorizer when RBAC is a mode: its rules are what escalation checks compare against.</summary>
    public RbacAuthorizer? Rbac { get; }

    public bool NodeEnabled { get; }

    /// <summary>AlwaysAllow comes first: every request is allowed, and admission has nothing to check.</summary>
    public bool AlwaysAllows { get; }

    public AuthorizationResult Authorize(AuthorizationAttributes attributes)
    {
        var reasons = new List<string>();
        foreach (var authorizer in _chain)
        {
            var result = authorizer.Authorize(attributes);
            if (result.Decision != Decision.NoOpinion)
            {
                return result;
            }

            if (result.Reason.Length > 0)
            {
                reasons.Add(result.Reason);
            }
        }

        return new AuthorizationResult(Decision.NoOpinion, string.Join(", ", reasons));
    }

    /// <exception cref="ApiException">PermissionDenied (403 Forbidden) when no authorizer allows the request.</exception>
    public void Require(AuthorizationAttributes attributes)
    {
        var result = Authorize(attributes);
        if (!result.Allowed)
        {
            throw Forbidden(attributes, result.Reason);
        }
    }

    public static ApiException Forbidden(AuthorizationAttributes attributes, string reason) =>
        new(Grpc.Core.StatusCode.PermissionDenied, attributes.ForbiddenMessage(reason), "Forbidden",
            attributes.IsResourceRequest ? new ApiErrorDetails(attributes.Name, attributes.ApiGroup, attributes.Resource) : null);

    private sealed class Always(Decision decision) : IAuthorizer
    {
        public AuthorizationResult Authorize(AuthorizationAttributes attributes) => new(decision, "");
    }

    private sealed class PrivilegedGroup : IAuthorizer
    {
        public AuthorizationResult Authorize(AuthorizationAttributes attributes) =>
            attributes.User.InGroup(UserInfo.SystemMasters) ? new(Decision.Allow, "") : AuthorizationResult.NoOpinion;
    }
}
