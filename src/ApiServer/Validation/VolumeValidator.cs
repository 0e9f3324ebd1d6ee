using Google.Protobuf.Collections;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>ValidateVolumes: unique DNS-label names and exactly one source per volume, each source checked.</summary>
internal static class VolumeValidator
{
    private static readonly string[] HostPathTypes = ["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"];

    private static readonly string[] VolumeFieldPaths =
        ["metadata.name", "metadata.namespace", "metadata.uid", "metadata.labels", "metadata.annotations"];

    /// <summary>Validates the volumes and returns their names, for the containers' volumeMounts to refer to.</summary>
    public static HashSet<string> Validate(string path, RepeatedField<Volume> volumes, ErrorList errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < volumes.Count; i++)
        {
            var volume = volumes[i];
            var itemPath = $"{path}[{i}]";
            if (volume.Name.Length == 0)
            {
                errors.Required($"{itemPath}.name");
            }
            else
            {
                errors.Invalid($"{itemPath}.name", volume.Name, NameValidation.IsDns1123Label(volume.Name));
                if (!names.Add(volume.Name))
                {
                    errors.Add(FieldError.Duplicate($"{itemPath}.name", volume.Name));
                }
            }

            ValidateSource(itemPath, volume, errors);
        }

        return names;
    }

    private static void ValidateSource(string path, Volume volume, ErrorList errors)
    {
        var sources = new (string Name, object? Source)[]
        {
            ("hostPath", volume.HostPath), ("emptyDir", volume.EmptyDir), ("configMap", volume.ConfigMap),
            ("secret", volume.Secret), ("downwardAPI", volume.DownwardApi), ("persistentVolumeClaim", volume.PersistentVolumeClaim),
            ("projected", volume.Projected),
        }.Where(s => s.Source is not null).ToList();
        if (sources.Count == 0)
        {
            errors.Required(path, "must specify a volume type");
            return;
        }

        if (sources.Count > 1)
        {
            errors.Add(FieldError.Forbidden($"{path}.{sources[1].Name}", "may not specify more than 1 volume type"));
            return;
        }

        switch (sources[0].Source)
        {
            case HostPathVolumeSource hostPath:
                if (hostPath.Path.Length == 0)
                {
                    errors.Required($"{path}.hostPath.path");
                }

                errors.OneOf($"{path}.hostPath.type", hostPath.Type, false, HostPathTypes[1..]);
                break;
            case EmptyDirVolumeSource emptyDir:
                errors.OneOf($"{path}.emptyDir.medium", emptyDir.Medium, false, "Memory");
                if (emptyDir.SizeLimit.Length > 0)
                {
                    errors.Quantity($"{path}.emptyDir.sizeLimit", emptyDir.SizeLimit);
                }

                break;
            case ConfigMapVolumeSource configMap:
                RequireName($"{path}.configMap.name", configMap.Name, errors);
                ValidateItems($"{path}.configMap", configMap.Items, configMap.HasDefaultMode ? configMap.DefaultMode : null, errors);
                break;
            case SecretVolumeSource secret:
                RequireName($"{path}.secret.secretName", secret.SecretName, errors);
                ValidateItems($"{path}.secret", secret.Items, secret.HasDefaultMode ? secret.DefaultMode : null, errors);
                break;
            case DownwardAPIVolumeSource downward:
                ValidateMode($"{path}.downwardAPI.defaultMode", downward.HasDefaultMode ? downward.DefaultMode : null, errors);
                ValidateDownwardApi($"{path}.downwardAPI", downward.Items, errors);
                break;
            case ProjectedVolumeSource projected:
                ValidateProjected($"{path}.projected", projected, errors);
                break;
            case PersistentVolumeClaimVolumeSource claim:
                RequireName($"{path}.persistentVolumeClaim.claimName", claim.ClaimName, errors);
                break;
        }
    }

    private static void ValidateItems(string path, RepeatedField<KeyToPath> items, int? defaultMode, ErrorList errors)
    {
        ValidateMode($"{path}.defaultMode", defaultMode, errors);
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = $"{path}.items[{i}]";
            errors.Invalid($"{itemPath}.key", items[i].Key, NameValidation.IsConfigMapKey(items[i].Key));
            ValidateFilePath($"{itemPath}.path", items[i].Path, errors);
            ValidateMode($"{itemPath}.mode", items[i].HasMode ? items[i].Mode : null, errors);
        }
    }

    /// <summary>Each projection has exactly one source; no two write the same path; tokens live at least ten minutes.</summary>
    private static void ValidateProjected(string path, ProjectedVolumeSource source, ErrorList errors)
    {
        ValidateMode($"{path}.defaultMode", source.HasDefaultMode ? source.DefaultMode : null, errors);
        var paths = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < source.Sources.Count; i++)
        {
            var p = $"{path}.sources[{i}]";
            var projection = source.Sources[i];
            var set = new object?[] { projection.ConfigMap, projection.Secret, projection.DownwardApi, projection.ServiceAccountToken }.Count(s => s is not null);
            if (set != 1)
            {
                errors.Add(set == 0
                    ? FieldError.Required(p, "must specify one of configMap, secret, downwardAPI or serviceAccountToken")
                    : FieldError.Forbidden(p, "may not specify more than 1 volume type per source"));
                continue;
            }

            IEnumerable<string> written;
            switch (projection)
            {
                case { ConfigMap: { } configMap }:
                    RequireName($"{p}.configMap.name", configMap.Name, errors);
                    ValidateItems($"{p}.configMap", configMap.Items, null, errors);
                    written = configMap.Items.Select(item => item.Path);
                    break;
                case { Secret: { } secret }:
                    RequireName($"{p}.secret.name", secret.Name, errors);
                    ValidateItems($"{p}.secret", secret.Items, null, errors);
                    written = secret.Items.Select(item => item.Path);
                    break;
                case { DownwardApi: { } downward }:
                    ValidateDownwardApi($"{p}.downwardAPI", downward.Items, errors);
                    written = downward.Items.Select(item => item.Path);
                    break;
                default:
                    var token = projection.ServiceAccountToken!;
                    ValidateFilePath($"{p}.serviceAccountToken.path", token.Path, errors);
                    if (token.HasExpirationSeconds && token.ExpirationSeconds < 600)
                    {
                        errors.Add(FieldError.Invalid($"{p}.serviceAccountToken.expirationSeconds", token.ExpirationSeconds, "may not specify a duration less than 10 minutes"));
                    }
                    else if (token.HasExpirationSeconds && token.ExpirationSeconds > 1L << 32)
                    {
                        errors.Add(FieldError.Invalid($"{p}.serviceAccountToken.expirationSeconds", token.ExpirationSeconds, "may not specify a duration larger than 2^32 seconds"));
                    }

                    written = [token.Path];
                    break;
            }

            foreach (var file in written.Where(f => f.Length > 0))
            {
                if (!paths.Add(file))
                {
                    errors.Add(FieldError.Invalid(p, file, "conflicting duplicate paths"));
                }
            }
        }
    }

    private static void ValidateDownwardApi(string path, RepeatedField<DownwardAPIVolumeFile> items, ErrorList errors)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var itemPath = $"{path}.items[{i}]";
            ValidateFilePath($"{itemPath}.path", item.Path, errors);
            ValidateMode($"{itemPath}.mode", item.HasMode ? item.Mode : null, errors);
            if (item.FieldRef is null && item.ResourceFieldRef is null)
            {
                errors.Required(itemPath, "must specify one of `fieldRef` or `resourceFieldRef`");
            }
            else if (item.FieldRef is not null && item.ResourceFieldRef is not null)
            {
                errors.Add(FieldError.Invalid(itemPath, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"));
            }
            else if (item.FieldRef is { } fieldRef)
            {
                ContainerValidator.ValidateFieldRef($"{itemPath}.fieldRef", fieldRef, VolumeFieldPaths, errors);
            }
            else if (item.ResourceFieldRef is { } resourceRef)
            {
                if (resourceRef.ContainerName.Length == 0)
                {
                    errors.Required($"{itemPath}.resourceFieldRef.containerName");
                }

                ContainerValidator.ValidateResourceFieldRef($"{itemPath}.resourceFieldRef", resourceRef, errors);
            }
        }
    }

    private static void ValidateFilePath(string path, string value, ErrorList errors)
    {
        if (value.Length == 0)
        {
            errors.Required(path);
        }
        else
        {
            errors.Invalid(path, value, NameValidation.IsRelativePathWithoutBacksteps(value));
        }
    }

    private static void ValidateMode(string path, int? mode, ErrorList errors)
    {
        if (mode is < 0 or > 0x1FF)
        {
            errors.Add(FieldError.Invalid(path, mode, "must be a number between 0 and 0777 (octal), both inclusive"));
        }
    }

    private static void RequireName(string path, string name, ErrorList errors)
    {
        if (name.Length == 0)
        {
            errors.Required(path);
        }
        else
        {
            errors.Invalid(path, name, NameValidation.IsDns1123Subdomain(name));
        }
    }
}
