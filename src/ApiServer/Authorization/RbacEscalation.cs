using Google.Protobuf;
using Google.Protobuf.Collections;
using KubeMesh.Api.Rbac.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Authentication;
using KubeMesh.ApiServer.Registry;

namespace KubeMesh.ApiServer.Authorization;

/// <summary>
/// RBAC's escalation prevention: nobody grants, through a Role or ClusterRole or through a binding, a permission
/// they do not hold themselves, unless they are allowed <c>escalate</c> on the role kinds (for roles) or
/// <c>bind</c> on the very role a binding references.
/// </summary>
internal static class RbacEscalation
{
    public static void Validate(UserInfo user, ResourceKind kind, IMessage obj, IMessage? old, RbacAuthorizer rbac, RequestAuthorizer authorizer, AuthorizationCaches caches)
    {
        // An update that leaves what is granted as it was (labels, finalizers, owner references: what the garbage
        // collector and namespace deleter touch) grants nothing new.
        if (old is not null && Grants(obj) == Grants(old))
        {
            return;
        }

        var meta = kind.Metadata(obj);
        var ns = kind.Namespaced ? meta.Namespace : "";
        switch (obj)
        {
            case Role role:
                CheckRules(user, kind, meta.Name, ns, role.Rules, Allowed(authorizer, user, "escalate", kind.Plural, ns, meta.Name), rbac);
                break;
            case ClusterRole role:
                CheckRules(user, kind, meta.Name, "", role.Rules, Allowed(authorizer, user, "escalate", kind.Plural, "", meta.Name), rbac);
                break;
            case RoleBinding binding:
                CheckBinding(user, kind, meta.Name, ns, binding.RoleRef, rbac, authorizer, caches);
                break;
            case ClusterRoleBinding binding:
                CheckBinding(user, kind, meta.Name, "", binding.RoleRef, rbac, authorizer, caches);
                break;
        }
    }

    /// <summary>What an RBAC object grants: a role's rules, a binding's role and subjects.</summary>
    private static string Grants(IMessage obj) => obj switch
    {
        Role r => r.Rules.ToString(),
        ClusterRole r => r.Rules.ToString(),
        RoleBinding b => $"{b.RoleRef}|{b.Subjects}",
        ClusterRoleBinding b => $"{b.RoleRef}|{b.Subjects}",
        _ => "",
    };

    private static void CheckBinding(UserInfo user, ResourceKind kind, string name, string ns, RoleRef? roleRef, RbacAuthorizer rbac, RequestAuthorizer authorizer, AuthorizationCaches caches)
    {
        if (roleRef is null)
        {
            return;
        }

        var roleResource = roleRef.Kind == "Role" ? "roles" : "clusterroles";
        if (Allowed(authorizer, user, "bind", roleResource, roleRef.Kind == "Role" ? ns : ns, roleRef.Name))
        {
            return;
        }

        RepeatedField<PolicyRule>? rules = roleRef.Kind == "Role"
            ? (caches.Roles.Get(ns, roleRef.Name) as Role)?.Rules
            : (caches.ClusterRoles.Get("", roleRef.Name) as ClusterRole)?.Rules;
        if (rules is null)
        {
            throw ApiErrors.Forbidden($"{kind.Plural}.{kind.Group} \"{name}\" is forbidden: {roleResource}.{kind.Group} \"{roleRef.Name}\" not found");
        }

        CheckRules(user, kind, name, ns, rules, false, rbac);
    }

    private static void CheckRules(UserInfo user, ResourceKind kind, string name, string ns, IEnumerable<PolicyRule> wanted, bool mayEscalate, RbacAuthorizer rbac)
    {
        if (mayEscalate)
        {
            return;
        }

        var held = rbac.RulesFor(user, ns);
        var missing = new List<PolicyRule>();
        foreach (var rule in wanted)
        {
            if (!PolicyRules.Covers(held, rule, out var first) && first is not null)
            {
                missing.Add(first);
            }
        }

        if (missing.Count > 0)
        {
            var groups = string.Join(" ", user.Groups.Select(g => $"\"{g}\""));
            throw ApiErrors.Forbidden(
                $"{kind.Plural}.{kind.Group} \"{name}\" is forbidden: user \"{user.Name}\" (groups=[{groups}]) is attempting to grant RBAC permissions not currently held:\n"
                + string.Join("\n", missing.Select(PolicyRules.Describe)));
        }
    }

    private static bool Allowed(RequestAuthorizer authorizer, UserInfo user, string verb, string resource, string ns, string name) =>
        authorizer.Authorize(new AuthorizationAttributes(user, verb) { ApiGroup = BootstrapPolicy.Group, Resource = resource, Namespace = ns, Name = name }).Allowed;
}
