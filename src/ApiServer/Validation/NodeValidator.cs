using System.Net;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>Nodes: taints and pod CIDRs.</summary>
internal static class NodeValidator
{
    public static void Validate(Node node, ErrorList errors)
    {
        if (node.Spec is not { } spec)
        {
            return;
        }

        var taints = new HashSet<(string, string)>();
        for (var i = 0; i < spec.Taints.Count; i++)
        {
            var taint = spec.Taints[i];
            var path = $"spec.taints[{i}]";
            if (taint.Key.Length == 0)
            {
                errors.Required($"{path}.key");
            }
            else
            {
                errors.Invalid($"{path}.key", taint.Key, NameValidation.IsQualifiedName(taint.Key));
            }

            if (taint.Value.Length > 0)
            {
                errors.Invalid($"{path}.value", taint.Value, NameValidation.IsValidLabelValue(taint.Value));
            }

            errors.OneOf($"{path}.effect", taint.Effect, true, "NoSchedule", "PreferNoSchedule", "NoExecute");
            if (!taints.Add((taint.Key, taint.Effect)))
            {
                errors.Add(FieldError.Duplicate(path, $"{taint.Key}:{taint.Effect}"));
            }
        }

        if (spec.PodCidr.Length > 0 && !IPNetwork.TryParse(spec.PodCidr, out _))
        {
            errors.Add(FieldError.Invalid("spec.podCIDR", spec.PodCidr, "must be a valid CIDR, such as 10.244.1.0/24"));
        }

        for (var i = 0; i < spec.PodCidrs.Count; i++)
        {
            if (!IPNetwork.TryParse(spec.PodCidrs[i], out _))
            {
                errors.Add(FieldError.Invalid($"spec.podCIDRs[{i}]", spec.PodCidrs[i], "must be a valid CIDR, such as 10.244.1.0/24"));
            }
        }
    }
}
