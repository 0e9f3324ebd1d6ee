using Google.Protobuf.Collections;
using KubeMesh.Api.Rbac.V1;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>Roles and bindings, as kube-apiserver's rbac validation checks them.</summary>
internal static class RbacValidator
{
    public const string Group = "rbac.authorization.k8s.io";

    public static void Validate(RepeatedField<PolicyRule> rules, bool namespaced, ErrorList errors)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var path = $"rules[{i}]";
            if (rule.Verbs.Count == 0)
            {
                errors.Required($"{path}.verbs", "verbs must contain at least one value");
            }

            if (rule.NonResourceUrls.Count > 0)
            {
                if (namespaced)
                {
                    errors.Add(FieldError.Invalid($"{path}.nonResourceURLs", rule.NonResourceUrls, "namespaced rules cannot apply to non-resource URLs"));
                }

                if (rule.ApiGroups.Count > 0 || rule.Resources.Count > 0 || rule.ResourceNames.Count > 0)
                {
                    errors.Add(FieldError.Invalid($"{path}.nonResourceURLs", rule.NonResourceUrls, "rules cannot apply to both regular resources and non-resource URLs"));
                }

                for (var j = 0; j < rule.NonResourceUrls.Count; j++)
                {
                    var url = rule.NonResourceUrls[j];
                    if (url != "*" && !url.StartsWith('/'))
                    {
                        errors.Add(FieldError.Invalid($"{path}.nonResourceURLs[{j}]", url, "must be \"*\" or begin with \"/\""));
                    }
                }

                continue;
            }

            if (rule.ApiGroups.Count == 0)
            {
                errors.Required($"{path}.apiGroups", "resource rules must supply at least one api group");
            }

            if (rule.Resources.Count == 0)
            {
                errors.Required($"{path}.resources", "resource rules must supply at least one resource");
            }
        }
    }

    public static void Validate(RoleRef? roleRef, RepeatedField<Subject> subjects, bool clusterBinding, ErrorList errors)
    {
        if (roleRef is null)
        {
            errors.Required("roleRef");
        }
        else
        {
            if (roleRef.ApiGroup != Group)
            {
                errors.Add(FieldError.NotSupported("roleRef.apiGroup", roleRef.ApiGroup, [Group]));
            }

            if (clusterBinding)
            {
                errors.OneOf("roleRef.kind", roleRef.Kind, true, "ClusterRole");
            }
            else
            {
                errors.OneOf("roleRef.kind", roleRef.Kind, true, "Role", "ClusterRole");
            }

            if (roleRef.Name.Length == 0)
            {
                errors.Required("roleRef.name");
            }
            else
            {
                errors.Invalid("roleRef.name", roleRef.Name, NameValidation.PathSegment(roleRef.Name));
            }
        }

        for (var i = 0; i < subjects.Count; i++)
        {
            var subject = subjects[i];
            var path = $"subjects[{i}]";
            if (subject.Name.Length == 0)
            {
                errors.Required($"{path}.name");
            }

            switch (subject.Kind)
            {
                case "ServiceAccount":
                    if (subject.ApiGroup.Length > 0)
                    {
                        errors.Add(FieldError.NotSupported($"{path}.apiGroup", subject.ApiGroup, [""]));
                    }

                    if (clusterBinding && subject.Namespace.Length == 0)
                    {
                        errors.Required($"{path}.namespace");
                    }

                    break;
                case "User":
                case "Group":
                    if (subject.ApiGroup != Group)
                    {
                        errors.Add(FieldError.NotSupported($"{path}.apiGroup", subject.ApiGroup, [Group]));
                    }

                    break;
                default:
                    errors.Add(FieldError.NotSupported($"{path}.kind", subject.Kind, ["ServiceAccount", "User", "Group"]));
                    break;
            }
        }
    }

    public static void ValidateUpdate(RoleRef? updated, RoleRef? old, ErrorList errors)
    {
        if (!Equals(updated, old))
        {
            errors.Add(FieldError.Invalid("roleRef", updated, "cannot change roleRef"));
        }
    }
}
