using KubeMesh.Api.Networking.V1;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>networking.k8s.io/v1 Ingress: hosts, paths with a pathType, and backends that name a Service port.</summary>
internal static class IngressValidator
{
    private static readonly string[] PathTypes = ["Exact", "Prefix", "ImplementationSpecific"];
    private static readonly string[] InvalidPathSequences = ["//", "/./", "/../", "%2f", "%2F"];
    private static readonly string[] InvalidPathSuffixes = ["/..", "/."];

    public static void Validate(Ingress ingress, ErrorList errors)
    {
        if (ingress.Spec is not { } spec)
        {
            errors.Required("spec");
            return;
        }

        if (spec.HasIngressClassName)
        {
            errors.Invalid("spec.ingressClassName", spec.IngressClassName, NameValidation.IsDns1123Subdomain(spec.IngressClassName));
        }

        if (spec.DefaultBackend is null && spec.Rules.Count == 0)
        {
            errors.Add(FieldError.Invalid("spec.rules", "", "either `defaultBackend` or `rules` must be specified"));
        }

        if (spec.DefaultBackend is { } defaultBackend)
        {
            ValidateBackend("spec.defaultBackend", defaultBackend, errors);
        }

        for (var i = 0; i < spec.Rules.Count; i++)
        {
            ValidateRule($"spec.rules[{i}]", spec.Rules[i], errors);
        }

        for (var i = 0; i < spec.Tls.Count; i++)
        {
            var tls = spec.Tls[i];
            for (var j = 0; j < tls.Hosts.Count; j++)
            {
                errors.Invalid($"spec.tls[{i}].hosts[{j}]", tls.Hosts[j], NameValidation.IsWildcardDns1123Subdomain(tls.Hosts[j]));
            }

            if (tls.SecretName.Length > 0)
            {
                errors.Invalid($"spec.tls[{i}].secretName", tls.SecretName, NameValidation.IsDns1123Subdomain(tls.SecretName));
            }
        }
    }

    private static void ValidateRule(string path, IngressRule rule, ErrorList errors)
    {
        if (rule.Host.Length > 0)
        {
            if (NameValidation.IsValidIP(rule.Host).Count == 0)
            {
                errors.Add(FieldError.Invalid($"{path}.host", rule.Host, "must be a DNS name, not an IP address"));
            }
            else
            {
                errors.Invalid($"{path}.host", rule.Host, NameValidation.IsWildcardDns1123Subdomain(rule.Host));
            }
        }

        if (rule.Http is null)
        {
            return;
        }

        if (rule.Http.Paths.Count == 0)
        {
            errors.Required($"{path}.http.paths");
        }

        for (var i = 0; i < rule.Http.Paths.Count; i++)
        {
            ValidatePath($"{path}.http.paths[{i}]", rule.Http.Paths[i], errors);
        }
    }

    private static void ValidatePath(string path, HTTPIngressPath httpPath, ErrorList errors)
    {
        if (httpPath.PathType.Length == 0)
        {
            errors.Required($"{path}.pathType", "pathType must be specified");
        }
        else
        {
            errors.OneOf($"{path}.pathType", httpPath.PathType, true, PathTypes);
        }

        var value = httpPath.Path;
        if (httpPath.PathType is "Exact" or "Prefix" && !value.StartsWith('/'))
        {
            errors.Add(FieldError.Invalid($"{path}.path", value, "must be an absolute path"));
        }
        else if (httpPath.PathType is "Exact" or "Prefix")
        {
            foreach (var sequence in InvalidPathSequences.Where(s => value.Contains(s, StringComparison.Ordinal)))
            {
                errors.Add(FieldError.Invalid($"{path}.path", value, $"must not contain '{sequence}'"));
            }

            foreach (var suffix in InvalidPathSuffixes.Where(s => value.EndsWith(s, StringComparison.Ordinal)))
            {
                errors.Add(FieldError.Invalid($"{path}.path", value, $"cannot end with '{suffix}'"));
            }
        }
        else if (value.Length > 0 && !value.StartsWith('/'))
        {
            errors.Add(FieldError.Invalid($"{path}.path", value, "must be an absolute path"));
        }

        if (httpPath.Backend is null)
        {
            errors.Required($"{path}.backend");
        }
        else
        {
            ValidateBackend($"{path}.backend", httpPath.Backend, errors);
        }
    }

    private static void ValidateBackend(string path, IngressBackend backend, ErrorList errors)
    {
        if (backend.Service is null && backend.Resource is null)
        {
            errors.Add(FieldError.Invalid(path, "", "one backend (`service` or `resource`) must be specified"));
            return;
        }

        if (backend.Service is not null && backend.Resource is not null)
        {
            errors.Add(FieldError.Invalid(path, "", "cannot set both `resource` and `service` backends"));
            return;
        }

        if (backend.Resource is { } resource)
        {
            if (resource.Kind.Length == 0)
            {
                errors.Required($"{path}.resource.kind");
            }

            if (resource.Name.Length == 0)
            {
                errors.Required($"{path}.resource.name");
            }

            return;
        }

        var service = backend.Service!;
        if (service.Name.Length == 0)
        {
            errors.Required($"{path}.service.name");
        }
        else
        {
            errors.Invalid($"{path}.service.name", service.Name, NameValidation.IsDns1123Label(service.Name));
        }

        var port = service.Port;
        if (port is null || (port.Name.Length == 0 && port.Number == 0))
        {
            errors.Required($"{path}.service.port", "port name or number is required");
        }
        else if (port.Name.Length > 0 && port.Number != 0)
        {
            errors.Add(FieldError.Invalid($"{path}.service.port", port.Name, "cannot set both port name & port number"));
        }
        else if (port.Name.Length > 0)
        {
            errors.Invalid($"{path}.service.port.name", port.Name, NameValidation.IsValidPortName(port.Name));
        }
        else
        {
            errors.Port($"{path}.service.port.number", port.Number);
        }
    }
}
