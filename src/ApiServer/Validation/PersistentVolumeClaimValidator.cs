using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Quantities;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>PersistentVolumeClaims and StatefulSet volumeClaimTemplates: access modes and a storage request.</summary>
internal static class PersistentVolumeClaimValidator
{
    private static readonly string[] AccessModes = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];

    public static void Validate(PersistentVolumeClaim claim, ErrorList errors) => ValidateSpec("spec", claim.Spec, errors);

    public static void ValidateSpec(string path, PersistentVolumeClaimSpec? spec, ErrorList errors)
    {
        if (spec is null)
        {
            errors.Required(path);
            return;
        }

        if (spec.AccessModes.Count == 0)
        {
            errors.Required($"{path}.accessModes", "at least 1 access mode is required");
        }

        for (var i = 0; i < spec.AccessModes.Count; i++)
        {
            errors.OneOf($"{path}.accessModes[{i}]", spec.AccessModes[i], true, AccessModes);
        }

        if (spec.AccessModes.Contains("ReadWriteOncePod") && spec.AccessModes.Count > 1)
        {
            errors.Add(FieldError.Forbidden($"{path}.accessModes", "may not use ReadWriteOncePod with other access modes"));
        }

        var storage = $"{path}.resources.requests[storage]";
        if (spec.Resources is null || !spec.Resources.Requests.TryGetValue("storage", out var request))
        {
            errors.Required(storage);
        }
        else if (Quantity.TryParse(request, out var quantity) && quantity.IsZero)
        {
            errors.Add(FieldError.Invalid(storage, request, "must be greater than zero"));
        }

        ContainerValidator.ValidateResources($"{path}.resources", spec.Resources, errors);
        errors.OneOf($"{path}.volumeMode", spec.VolumeMode, false, "Filesystem", "Block");
        if (spec.HasStorageClassName && spec.StorageClassName.Length > 0)
        {
            errors.Invalid($"{path}.storageClassName", spec.StorageClassName, NameValidation.IsDns1123Subdomain(spec.StorageClassName));
        }

        if (spec.Selector is not null)
        {
            LabelSelectorValidation.Validate($"{path}.selector", spec.Selector, errors);
        }
    }
}
