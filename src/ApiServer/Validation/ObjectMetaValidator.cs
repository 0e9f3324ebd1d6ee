using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>ValidateObjectMeta: names by kind, namespace scope, labels, annotations and owner references.</summary>
internal static class ObjectMetaValidator
{
    private const int AnnotationsMaxBytes = 256 * 1024;

    public static void Validate(ResourceKind kind, ObjectMeta? meta, ErrorList errors)
    {
        if (meta is null)
        {
            errors.Required("metadata");
            return;
        }

        Func<string, IReadOnlyList<string>> nameRule = UsesLabelNames(kind) ? NameValidation.IsDns1123Label
            : kind.Group == RbacValidator.Group ? NameValidation.PathSegment
            : NameValidation.IsDns1123Subdomain;
        if (meta.Name.Length > 0)
        {
            errors.Invalid("metadata.name", meta.Name, nameRule(meta.Name));
        }
        else if (meta.GenerateName.Length > 0)
        {
            // The prefix gets random characters appended, so a trailing '-' is fine.
            errors.Invalid("metadata.generateName", meta.GenerateName, nameRule(meta.GenerateName.TrimEnd('-') + "a"));
        }
        else
        {
            errors.Required("metadata.name", "name or generateName is required");
        }

        if (kind.Namespaced)
        {
            if (meta.Namespace.Length > 0)
            {
                errors.Invalid("metadata.namespace", meta.Namespace, NameValidation.IsDns1123Label(meta.Namespace));
            }
        }
        else if (meta.Namespace.Length > 0)
        {
            errors.Add(FieldError.Forbidden("metadata.namespace", "not allowed on this type"));
        }

        ValidateLabels("metadata.labels", meta.Labels, errors);
        ValidateAnnotations("metadata.annotations", meta.Annotations, errors);
        ValidateOwnerReferences(meta, errors);
        errors.NonNegative("metadata.generation", meta.Generation);
    }

    /// <summary>Namespaces and Services become DNS labels (svc.ns.svc.cluster.local), so their names are labels.</summary>
    public static bool UsesLabelNames(ResourceKind kind) => kind == ResourceKinds.Namespace || kind == ResourceKinds.Service;

    public static void ValidateLabels(string path, IDictionary<string, string> labels, ErrorList errors) =>
        errors.Labels(path, labels.AsReadOnly());

    public static void ValidateAnnotations(string path, IDictionary<string, string> annotations, ErrorList errors)
    {
        var total = 0L;
        foreach (var (key, value) in annotations)
        {
            errors.Invalid(path, key, NameValidation.IsQualifiedName(key.ToLowerInvariant()));
            total += key.Length + value.Length;
        }

        if (total > AnnotationsMaxBytes)
        {
            errors.Add(new FieldError(path, $"Too long: must have at most {AnnotationsMaxBytes} bytes"));
        }
    }

    private static void ValidateOwnerReferences(ObjectMeta meta, ErrorList errors)
    {
        for (var i = 0; i < meta.OwnerReferences.Count; i++)
        {
            var owner = meta.OwnerReferences[i];
            var path = $"metadata.ownerReferences[{i}]";
            if (owner.ApiVersion.Length == 0)
            {
                errors.Required($"{path}.apiVersion");
            }

            if (owner.Kind.Length == 0)
            {
                errors.Required($"{path}.kind");
            }

            if (owner.Name.Length == 0)
            {
                errors.Required($"{path}.name");
            }

            if (owner.Uid.Length == 0)
            {
                errors.Required($"{path}.uid");
            }
        }

        if (meta.OwnerReferences.Count(o => o.HasController && o.Controller) > 1)
        {
            errors.Add(FieldError.Invalid("metadata.ownerReferences", meta.OwnerReferences.Count, "Only one reference can have Controller set to true"));
        }
    }
}
