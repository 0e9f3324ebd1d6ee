using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>ConfigMaps and Secrets: keys that can be file names, a 1 MiB size limit, and the typed Secrets' required keys.</summary>
internal static class ConfigDataValidator
{
    private const int MaxBytes = 1024 * 1024;

    private static readonly Dictionary<string, string[]> RequiredSecretKeys = new(StringComparer.Ordinal)
    {
        ["kubernetes.io/tls"] = ["tls.crt", "tls.key"],
        ["kubernetes.io/ssh-auth"] = ["ssh-privatekey"],
        ["kubernetes.io/dockerconfigjson"] = [".dockerconfigjson"],
        ["kubernetes.io/dockercfg"] = [".dockercfg"],
    };

    public static void Validate(ConfigMap configMap, ErrorList errors)
    {
        var size = 0L;
        foreach (var (key, value) in configMap.Data)
        {
            errors.Invalid($"data[{key}]", key, NameValidation.IsConfigMapKey(key));
            size += key.Length + value.Length;
        }

        foreach (var (key, value) in configMap.BinaryData)
        {
            errors.Invalid($"binaryData[{key}]", key, NameValidation.IsConfigMapKey(key));
            if (configMap.Data.ContainsKey(key))
            {
                errors.Add(FieldError.Invalid($"binaryData[{key}]", key, "duplicate of key present in data"));
            }

            size += key.Length + value.Length;
        }

        if (size > MaxBytes)
        {
            errors.Add(new FieldError("", $"Too long: must have at most {MaxBytes} bytes"));
        }
    }

    public static void Validate(Secret secret, ErrorList errors)
    {
        var size = 0L;
        foreach (var (key, value) in secret.Data)
        {
            errors.Invalid($"data[{key}]", key, NameValidation.IsConfigMapKey(key));
            size += value.Length;
        }

        foreach (var key in secret.StringData.Keys)
        {
            errors.Invalid($"stringData[{key}]", key, NameValidation.IsConfigMapKey(key));
        }

        if (size > MaxBytes)
        {
            errors.Add(new FieldError("data", $"Too long: must have at most {MaxBytes} bytes"));
        }

        if (secret.Type.Length == 0)
        {
            errors.Required("type");
        }

        bool Has(string key) => secret.Data.ContainsKey(key) || secret.StringData.ContainsKey(key);
        if (RequiredSecretKeys.TryGetValue(secret.Type, out var required))
        {
            foreach (var key in required.Where(k => !Has(k)))
            {
                errors.Required($"data[{key}]");
            }
        }

        if (secret.Type == "kubernetes.io/basic-auth" && !Has("username") && !Has("password"))
        {
            errors.Required("data[username]", "one of `username` or `password` must be set for basic-auth secrets");
        }
    }
}
