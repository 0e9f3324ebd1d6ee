using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>The apps/v1 kinds: selector and template, replicas, and each kind's update strategy.</summary>
internal static class WorkloadValidator
{
    public static void Validate(ReplicaSet replicaSet, ErrorList errors)
    {
        if (Spec(replicaSet.Spec, errors) is not { } spec)
        {
            return;
        }

        Replicas("spec.replicas", spec.HasReplicas, spec.Replicas, errors);
        errors.NonNegative("spec.minReadySeconds", spec.MinReadySeconds);
        SelectorAndTemplate(spec.Selector, spec.Template, "replicaset", errors);
    }

    public static void Validate(Deployment deployment, ErrorList errors)
    {
        if (Spec(deployment.Spec, errors) is not { } spec)
        {
            return;
        }

        Replicas("spec.replicas", spec.HasReplicas, spec.Replicas, errors);
        errors.NonNegative("spec.minReadySeconds", spec.MinReadySeconds);
        if (spec.HasRevisionHistoryLimit)
        {
            errors.NonNegative("spec.revisionHistoryLimit", spec.RevisionHistoryLimit);
        }

        if (spec.HasProgressDeadlineSeconds && spec.ProgressDeadlineSeconds <= spec.MinReadySeconds)
        {
            errors.Add(FieldError.Invalid("spec.progressDeadlineSeconds", spec.ProgressDeadlineSeconds, "must be greater than minReadySeconds"));
        }

        SelectorAndTemplate(spec.Selector, spec.Template, "deployment", errors);
        var strategy = spec.Strategy ?? new DeploymentStrategy();
        errors.OneOf("spec.strategy.type", strategy.Type, true, "RollingUpdate", "Recreate");
        if (strategy.Type == "Recreate" && strategy.RollingUpdate is not null)
        {
            errors.Add(FieldError.Forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
        }
        else if (strategy.Type == "RollingUpdate")
        {
            var rolling = strategy.RollingUpdate ?? new RollingUpdateDeployment();
            RollingUpdate("spec.strategy.rollingUpdate", rolling.MaxUnavailable, rolling.MaxSurge, errors);
        }
    }

    public static void Validate(DaemonSet daemonSet, ErrorList errors)
    {
        if (Spec(daemonSet.Spec, errors) is not { } spec)
        {
            return;
        }

        errors.NonNegative("spec.minReadySeconds", spec.MinReadySeconds);
        if (spec.HasRevisionHistoryLimit)
        {
            errors.NonNegative("spec.revisionHistoryLimit", spec.RevisionHistoryLimit);
        }

        SelectorAndTemplate(spec.Selector, spec.Template, "daemonset", errors);
        var strategy = spec.UpdateStrategy ?? new DaemonSetUpdateStrategy();
        errors.OneOf("spec.updateStrategy.type", strategy.Type, true, "RollingUpdate", "OnDelete");
        if (strategy.Type == "RollingUpdate")
        {
            var rolling = strategy.RollingUpdate ?? new RollingUpdateDaemonSet();
            RollingUpdate("spec.updateStrategy.rollingUpdate", rolling.MaxUnavailable, rolling.MaxSurge, errors);
        }
    }

    public static void Validate(StatefulSet statefulSet, ErrorList errors)
    {
        if (Spec(statefulSet.Spec, errors) is not { } spec)
        {
            return;
        }

        Replicas("spec.replicas", spec.HasReplicas, spec.Replicas, errors);
        errors.NonNegative("spec.minReadySeconds", spec.MinReadySeconds);
        if (spec.ServiceName.Length > 0)
        {
            errors.Invalid("spec.serviceName", spec.ServiceName, NameValidation.IsDns1123Label(spec.ServiceName));
        }

        errors.OneOf("spec.podManagementPolicy", spec.PodManagementPolicy, true, "OrderedReady", "Parallel");
        SelectorAndTemplate(spec.Selector, WithClaimVolumes(spec), "statefulset", errors);
        var strategy = spec.UpdateStrategy ?? new StatefulSetUpdateStrategy();
        errors.OneOf("spec.updateStrategy.type", strategy.Type, true, "RollingUpdate", "OnDelete");
        if (strategy.Type == "OnDelete" && strategy.RollingUpdate is not null)
        {
            errors.Add(FieldError.Invalid("spec.updateStrategy.rollingUpdate", "", "only allowed for updateStrategy 'RollingUpdate'"));
        }
        else if (strategy.RollingUpdate is { } rolling)
        {
            if (rolling.HasPartition)
            {
                errors.NonNegative("spec.updateStrategy.rollingUpdate.partition", rolling.Partition);
            }

            const string maxUnavailable = "spec.updateStrategy.rollingUpdate.maxUnavailable";
            if (IntOrPercent(maxUnavailable, rolling.MaxUnavailable, errors) is { Amount: 0 })
            {
                errors.Add(FieldError.Invalid(maxUnavailable, Show(rolling.MaxUnavailable!), "must be greater than 0"));
            }
        }

        if (spec.PersistentVolumeClaimRetentionPolicy is { } retention)
        {
            errors.OneOf("spec.persistentVolumeClaimRetentionPolicy.whenDeleted", retention.WhenDeleted, false, "Retain", "Delete");
            errors.OneOf("spec.persistentVolumeClaimRetentionPolicy.whenScaled", retention.WhenScaled, false, "Retain", "Delete");
        }

        var claimNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.VolumeClaimTemplates.Count; i++)
        {
            var claim = spec.VolumeClaimTemplates[i];
            var path = $"spec.volumeClaimTemplates[{i}]";
            var name = claim.Metadata?.Name ?? "";
            if (name.Length == 0)
            {
                errors.Required($"{path}.metadata.name");
            }
            else
            {
                errors.Invalid($"{path}.metadata.name", name, NameValidation.IsDns1123Subdomain(name));
                if (!claimNames.Add(name))
                {
                    errors.Add(FieldError.Duplicate($"{path}.metadata.name", name));
                }
            }

            PersistentVolumeClaimValidator.ValidateSpec($"{path}.spec", claim.Spec, errors);
        }
    }

    /// <summary>Each pod gets a volume per claim template, so the template's volumeMounts may name them.</summary>
    private static PodTemplateSpec? WithClaimVolumes(StatefulSetSpec spec)
    {
        if (spec.Template?.Spec is null)
        {
            return spec.Template;
        }

        var template = spec.Template.Clone();
        foreach (var name in spec.VolumeClaimTemplates.Select(c => c.Metadata?.Name ?? "").Where(n => n.Length > 0))
        {
            if (template.Spec.Volumes.All(v => v.Name != name))
            {
                template.Spec.Volumes.Add(new Volume { Name = name, PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = name } });
            }
        }

        return template;
    }

    /// <summary>Selector present, not empty, valid, and selecting the template's labels; the template runs with restartPolicy Always.</summary>
    public static void SelectorAndTemplate(LabelSelector? selector, PodTemplateSpec? template, string kindName, ErrorList errors)
    {
        if (selector is null)
        {
            errors.Required("spec.selector");
        }
        else if (LabelSelectorValidation.IsEmpty(selector))
        {
            errors.Add(FieldError.Invalid("spec.selector", "{}", $"empty selector is invalid for {kindName}"));
        }
        else
        {
            LabelSelectorValidation.Validate("spec.selector", selector, errors);
        }

        Template("spec.template", template, selector, errors, "Always");
    }

    public static void Template(string path, PodTemplateSpec? template, LabelSelector? selector, ErrorList errors, params string[] restartPolicies)
    {
        if (template is null)
        {
            errors.Required(path);
            return;
        }

        var labels = template.Metadata?.Labels ?? new Google.Protobuf.Collections.MapField<string, string>();
        ObjectMetaValidator.ValidateLabels($"{path}.metadata.labels", labels, errors);
        ObjectMetaValidator.ValidateAnnotations($"{path}.metadata.annotations", template.Metadata?.Annotations ?? [], errors);
        if (selector is not null && !LabelSelectorValidation.IsEmpty(selector) && !LabelSelectorValidation.Matches(selector, labels))
        {
            errors.Add(FieldError.Invalid($"{path}.metadata.labels", new Dictionary<string, string>(labels), "`selector` does not match template `labels`"));
        }

        PodSpecValidator.Validate($"{path}.spec", template.Spec, errors, restartPolicies);
    }

    public static void Replicas(string path, bool has, int value, ErrorList errors)
    {
        if (has)
        {
            errors.NonNegative(path, value);
        }
    }

    /// <summary>maxUnavailable and maxSurge: non-negative numbers or percentages, not both zero; maxUnavailable at most 100%.</summary>
    public static void RollingUpdate(string path, Value? maxUnavailable, Value? maxSurge, ErrorList errors)
    {
        var unavailable = IntOrPercent($"{path}.maxUnavailable", maxUnavailable, errors);
        var surge = IntOrPercent($"{path}.maxSurge", maxSurge, errors);
        if (unavailable is { Percent: true, Amount: > 100 })
        {
            errors.Add(FieldError.Invalid($"{path}.maxUnavailable", maxUnavailable!.StringValue, "must not be greater than 100%"));
        }

        if (unavailable is { Amount: 0 } && surge is { Amount: 0 })
        {
            errors.Add(FieldError.Invalid($"{path}.maxUnavailable", Show(maxUnavailable!), "may not be 0 when `maxSurge` is 0"));
        }
    }

    private static (bool Percent, long Amount)? IntOrPercent(string path, Value? value, ErrorList errors)
    {
        if (value is null || value.KindCase == Value.KindOneofCase.None || !errors.IntOrString(path, value))
        {
            return null;
        }

        switch (value.KindCase)
        {
            case Value.KindOneofCase.NumberValue:
                errors.NonNegative(path, (long)value.NumberValue);
                return (false, (long)value.NumberValue);
            case Value.KindOneofCase.StringValue:
                var text = value.StringValue;
                if (text.EndsWith('%') && long.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var percent))
                {
                    return (true, percent);
                }

                errors.Add(FieldError.Invalid(path, text, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
                return null;
            default:
                return null;
        }
    }

    private static object Show(Value value) => value.KindCase == Value.KindOneofCase.StringValue ? value.StringValue : (long)value.NumberValue;

    private static T? Spec<T>(T? spec, ErrorList errors)
        where T : class
    {
        if (spec is null)
        {
            errors.Required("spec");
        }

        return spec;
    }
}
