using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>ValidatePodSpec: containers, volumes and the pod-level settings, for pods and pod templates.</summary>
internal static class PodSpecValidator
{
    public static readonly string[] RestartPolicies = ["Always", "OnFailure", "Never"];

    public static void Validate(string path, PodSpec? spec, ErrorList errors, params string[] allowedRestartPolicies)
    {
        if (spec is null)
        {
            errors.Required(path);
            return;
        }

        var volumes = VolumeValidator.Validate($"{path}.volumes", spec.Volumes, errors);
        if (spec.Containers.Count == 0)
        {
            errors.Required($"{path}.containers");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var portNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.InitContainers.Count; i++)
        {
            ContainerValidator.Validate($"{path}.initContainers[{i}]", spec.InitContainers[i], isInit: true, volumes, names, portNames, errors);
        }

        for (var i = 0; i < spec.Containers.Count; i++)
        {
            ContainerValidator.Validate($"{path}.containers[{i}]", spec.Containers[i], isInit: false, volumes, names, portNames, errors);
        }

        errors.OneOf($"{path}.restartPolicy", spec.RestartPolicy, true, allowedRestartPolicies.Length > 0 ? allowedRestartPolicies : RestartPolicies);
        errors.OneOf($"{path}.dnsPolicy", spec.DnsPolicy, true, "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None");
        if (spec.DnsPolicy == "None" && (spec.DnsConfig is null || spec.DnsConfig.Nameservers.Count == 0))
        {
            errors.Required($"{path}.dnsConfig.nameservers", "must provide at least one DNS nameserver when `dnsPolicy` is 'None'");
        }

        if (spec.HasTerminationGracePeriodSeconds)
        {
            errors.NonNegative($"{path}.terminationGracePeriodSeconds", spec.TerminationGracePeriodSeconds);
        }

        if (spec.HasActiveDeadlineSeconds)
        {
            errors.Positive($"{path}.activeDeadlineSeconds", spec.ActiveDeadlineSeconds);
        }

        errors.Labels($"{path}.nodeSelector", spec.NodeSelector.AsReadOnly());
        ValidateOptionalName($"{path}.hostname", spec.Hostname, NameValidation.IsDns1123Label, errors);
        ValidateOptionalName($"{path}.subdomain", spec.Subdomain, NameValidation.IsDns1123Label, errors);
        ValidateOptionalName($"{path}.serviceAccountName", spec.ServiceAccountName, NameValidation.IsDns1123Subdomain, errors);
        ValidateOptionalName($"{path}.nodeName", spec.NodeName, NameValidation.IsDns1123Subdomain, errors);
        ValidateTolerations($"{path}.tolerations", spec, errors);
        for (var i = 0; i < spec.HostAliases.Count; i++)
        {
            errors.Invalid($"{path}.hostAliases[{i}].ip", spec.HostAliases[i].Ip, NameValidation.IsValidIP(spec.HostAliases[i].Ip));
        }
    }

    private static void ValidateOptionalName(string path, string value, Func<string, IReadOnlyList<string>> rule, ErrorList errors)
    {
        if (value.Length > 0)
        {
            errors.Invalid(path, value, rule(value));
        }
    }

    private static void ValidateTolerations(string path, PodSpec spec, ErrorList errors)
    {
        for (var i = 0; i < spec.Tolerations.Count; i++)
        {
            var toleration = spec.Tolerations[i];
            var itemPath = $"{path}[{i}]";
            if (toleration.Key.Length > 0)
            {
                errors.Invalid($"{itemPath}.key", toleration.Key, NameValidation.IsQualifiedName(toleration.Key));
            }
            else if (toleration.Operator != "Exists")
            {
                errors.Add(FieldError.Invalid($"{itemPath}.operator", toleration.Operator, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
            }

            errors.OneOf($"{itemPath}.operator", toleration.Operator, false, "Equal", "Exists");
            if (toleration.Operator == "Exists" && toleration.Value.Length > 0)
            {
                errors.Add(FieldError.Invalid($"{itemPath}.operator", toleration.Value, "value must be empty when `operator` is 'Exists'"));
            }

            errors.OneOf($"{itemPath}.effect", toleration.Effect, false, "NoSchedule", "PreferNoSchedule", "NoExecute");
        }
    }
}
