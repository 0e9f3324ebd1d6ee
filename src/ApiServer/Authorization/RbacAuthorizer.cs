using Google.Protobuf.Collections;
using KubeMesh.Api.Rbac.V1;
using KubeMesh.ApiServer.Authentication;

namespace KubeMesh.ApiServer.Authorization;

/// <summary>
/// Role-based access control as kube-apiserver's RBAC authorizer: the rules of every ClusterRole bound to the user
/// by a ClusterRoleBinding apply everywhere; in a namespace, also those of the Roles and ClusterRoles its
/// RoleBindings bind. It only allows; what no rule allows is left to the next authorizer, then refused.
/// </summary>
public sealed class RbacAuthorizer(AuthorizationCaches caches) : IAuthorizer
{
    public AuthorizationResult Authorize(AuthorizationAttributes attributes)
    {
        foreach (var (rules, source) in RuleSets(attributes.User, attributes.Namespace))
        {
            if (rules.Any(r => PolicyRules.Allows(r, attributes)))
            {
                return new AuthorizationResult(Decision.Allow, $"RBAC: allowed by {source}");
            }
        }

        return caches.RoleBindings.Synced && caches.ClusterRoleBindings.Synced
            ? AuthorizationResult.NoOpinion
            : new AuthorizationResult(Decision.NoOpinion, "RBAC: the role bindings are not loaded yet");
    }

    /// <summary>Every rule the user holds in <paramref name="ns"/> (cluster-wide ones included; empty: cluster-wide only).</summary>
    public IReadOnlyList<PolicyRule> RulesFor(UserInfo user, string ns) =>
        RuleSets(user, ns).SelectMany(s => s.Rules).ToList();

    private IEnumerable<(IReadOnlyList<PolicyRule> Rules, string Source)> RuleSets(UserInfo user, string ns)
    {
        foreach (var binding in caches.ClusterRoleBindings.Items.Cast<ClusterRoleBinding>())
        {
            if (binding.RoleRef?.Kind == "ClusterRole" && Matching(binding.Subjects, user, "") is { } subject
                && caches.ClusterRoles.Get("", binding.RoleRef.Name) is ClusterRole role)
            {
                yield return (role.Rules, $"ClusterRoleBinding \"{binding.Metadata.Name}\" of ClusterRole \"{role.Metadata.Name}\" to {subject}");
            }
        }

        if (ns.Length == 0)
        {
            yield break;
        }

        foreach (var binding in caches.RoleBindings.Items.Cast<RoleBinding>())
        {
            if (binding.Metadata.Namespace != ns || binding.RoleRef is null || Matching(binding.Subjects, user, ns) is not { } subject)
            {
                continue;
            }

            var (rules, kind) = binding.RoleRef.Kind switch
            {
                "Role" => (caches.Roles.Get(ns, binding.RoleRef.Name) is Role r ? r.Rules : null, "Role"),
                "ClusterRole" => (caches.ClusterRoles.Get("", binding.RoleRef.Name) is ClusterRole c ? c.Rules : null, "ClusterRole"),
                _ => ((RepeatedField<PolicyRule>?)null, ""),
            };
            if (rules is not null)
            {
                yield return (rules, $"RoleBinding \"{binding.Metadata.Name}/{ns}\" of {kind} \"{binding.RoleRef.Name}\" to {subject}");
            }
        }
    }

    /// <summary>The first subject naming the user (as "User \"x\"", "Group \"g\"", ...), else null.</summary>
    private static string? Matching(RepeatedField<Subject> subjects, UserInfo user, string bindingNamespace)
    {
        foreach (var s in subjects)
        {
            var matches = s.Kind switch
            {
                "User" => s.Name == user.Name,
                "Group" => user.InGroup(s.Name),
                "ServiceAccount" => user.Name == $"{UserInfo.ServiceAccountPrefix}{(s.Namespace.Length > 0 ? s.Namespace : bindingNamespace)}:{s.Name}",
                _ => false,
            };
            if (matches)
            {
                return $"{s.Kind} \"{s.Name}\"";
            }
        }

        return null;
    }
}
