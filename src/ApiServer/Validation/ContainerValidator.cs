using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Quantities;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>ValidateContainers: name, image, ports, env, envFrom, resources, volume mounts and probes.</summary>
internal static partial class ContainerValidator
{
    private static readonly string[] EnvFieldPaths =
    [
        "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
        "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    ];

    private static readonly string[] ResourceFieldRefs =
        ["limits.cpu", "limits.memory", "limits.ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage"];

    private static readonly string[] Protocols = ["TCP", "UDP", "SCTP"];

    public static void Validate(string path, Container container, bool isInit, HashSet<string> volumes,
        HashSet<string> containerNames, HashSet<string> portNames, ErrorList errors)
    {
        if (container.Name.Length == 0)
        {
            errors.Required($"{path}.name");
        }
        else
        {
            errors.Invalid($"{path}.name", container.Name, NameValidation.IsDns1123Label(container.Name));
            if (!containerNames.Add(container.Name))
            {
                errors.Add(FieldError.Duplicate($"{path}.name", container.Name));
            }
        }

        if (container.Image.Trim().Length == 0)
        {
            errors.Required($"{path}.image");
        }

        errors.OneOf($"{path}.imagePullPolicy", container.ImagePullPolicy, true, "Always", "IfNotPresent", "Never");
        errors.OneOf($"{path}.terminationMessagePolicy", container.TerminationMessagePolicy, false, "File", "FallbackToLogsOnError");
        var sidecar = isInit && container.RestartPolicy == "Always";
        if (isInit)
        {
            errors.OneOf($"{path}.restartPolicy", container.RestartPolicy, false, "Always");
        }
        else if (container.RestartPolicy.Length > 0)
        {
            errors.Add(FieldError.Forbidden($"{path}.restartPolicy", "may not be set for non-init containers"));
        }

        ValidatePorts(path, container, portNames, errors);
        ValidateEnv(path, container, errors);
        ValidateEnvFrom(path, container, errors);
        ValidateResources($"{path}.resources", container.Resources, errors);
        ValidateVolumeMounts(path, container, volumes, errors);
        ValidateProbe($"{path}.livenessProbe", container.LivenessProbe, isInit && !sidecar, mustSucceedOnce: true, errors);
        ValidateProbe($"{path}.readinessProbe", container.ReadinessProbe, isInit && !sidecar, mustSucceedOnce: false, errors);
        ValidateProbe($"{path}.startupProbe", container.StartupProbe, isInit && !sidecar, mustSucceedOnce: true, errors);
    }

    public static void ValidateFieldRef(string path, ObjectFieldSelector fieldRef, IReadOnlyList<string> allowed, ErrorList errors)
    {
        errors.OneOf($"{path}.apiVersion", fieldRef.ApiVersion, false, "v1");
        if (fieldRef.FieldPath.Length == 0)
        {
            errors.Required($"{path}.fieldPath");
            return;
        }

        // metadata.labels['key'] and metadata.annotations['key'] pick one entry.
        var match = SubscriptedFieldPath().Match(fieldRef.FieldPath);
        if (match.Success)
        {
            var key = match.Groups["key"].Value;
            errors.Invalid($"{path}.fieldPath", key, NameValidation.IsQualifiedName(key.ToLowerInvariant()));
            return;
        }

        if (!allowed.Contains(fieldRef.FieldPath))
        {
            errors.Add(FieldError.NotSupported($"{path}.fieldPath", fieldRef.FieldPath, allowed));
        }
    }

    public static void ValidateResourceFieldRef(string path, ResourceFieldSelector resourceRef, ErrorList errors)
    {
        if (resourceRef.Resource.Length == 0)
        {
            errors.Required($"{path}.resource");
        }
        else
        {
            errors.OneOf($"{path}.resource", resourceRef.Resource, true, ResourceFieldRefs);
        }

        if (resourceRef.Divisor.Length > 0 && errors.Quantity($"{path}.divisor", resourceRef.Divisor) is { IsZero: true })
        {
            errors.Add(FieldError.Invalid($"{path}.divisor", resourceRef.Divisor, "must be greater than 0"));
        }
    }

    private static void ValidatePorts(string path, Container container, HashSet<string> portNames, ErrorList errors)
    {
        for (var i = 0; i < container.Ports.Count; i++)
        {
            var port = container.Ports[i];
            var itemPath = $"{path}.ports[{i}]";
            if (port.Name.Length > 0)
            {
                errors.Invalid($"{itemPath}.name", port.Name, NameValidation.IsValidPortName(port.Name));
                if (!portNames.Add(port.Name))
                {
                    errors.Add(FieldError.Duplicate($"{itemPath}.name", port.Name));
                }
            }

            errors.Port($"{itemPath}.containerPort", port.ContainerPort_);
            errors.Port($"{itemPath}.hostPort", port.HostPort, required: false);
            errors.OneOf($"{itemPath}.protocol", port.Protocol, true, Protocols);
            if (port.HostIp.Length > 0)
            {
                errors.Invalid($"{itemPath}.hostIP", port.HostIp, NameValidation.IsValidIP(port.HostIp));
            }
        }
    }

    private static void ValidateEnv(string path, Container container, ErrorList errors)
    {
        for (var i = 0; i < container.Env.Count; i++)
        {
            var env = container.Env[i];
            var itemPath = $"{path}.env[{i}]";
            if (env.Name.Length == 0)
            {
                errors.Required($"{itemPath}.name");
            }
            else
            {
                errors.Invalid($"{itemPath}.name", env.Name, NameValidation.IsEnvVarName(env.Name));
            }

            if (env.ValueFrom is not { } source)
            {
                continue;
            }

            if (env.Value.Length > 0)
            {
                errors.Add(FieldError.Invalid($"{itemPath}.valueFrom", "", "may not be specified when `value` is not empty"));
            }

            var set = new object?[] { source.FieldRef, source.ResourceFieldRef, source.ConfigMapKeyRef, source.SecretKeyRef }.Count(s => s is not null);
            if (set == 0)
            {
                errors.Required($"{itemPath}.valueFrom", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`");
            }
            else if (set > 1)
            {
                errors.Add(FieldError.Invalid($"{itemPath}.valueFrom", "", "may not have more than one field specified at a time"));
            }
            else if (source.FieldRef is { } fieldRef)
            {
                ValidateFieldRef($"{itemPath}.valueFrom.fieldRef", fieldRef, EnvFieldPaths, errors);
            }
            else if (source.ResourceFieldRef is { } resourceRef)
            {
                ValidateResourceFieldRef($"{itemPath}.valueFrom.resourceFieldRef", resourceRef, errors);
            }
            else if (source.ConfigMapKeyRef is { } configMapRef)
            {
                ValidateKeyRef($"{itemPath}.valueFrom.configMapKeyRef", configMapRef.Name, configMapRef.Key, errors);
            }
            else
            {
                ValidateKeyRef($"{itemPath}.valueFrom.secretKeyRef", source.SecretKeyRef.Name, source.SecretKeyRef.Key, errors);
            }
        }
    }

    private static void ValidateKeyRef(string path, string name, string key, ErrorList errors)
    {
        ValidateRefName($"{path}.name", name, errors);
        if (key.Length == 0)
        {
            errors.Required($"{path}.key");
        }
        else
        {
            errors.Invalid($"{path}.key", key, NameValidation.IsConfigMapKey(key));
        }
    }

    private static void ValidateEnvFrom(string path, Container container, ErrorList errors)
    {
        for (var i = 0; i < container.EnvFrom.Count; i++)
        {
            var source = container.EnvFrom[i];
            var itemPath = $"{path}.envFrom[{i}]";
            if (source.Prefix.Length > 0)
            {
                errors.Invalid($"{itemPath}.prefix", source.Prefix, NameValidation.IsEnvVarName(source.Prefix));
            }

            if (source.ConfigMapRef is null && source.SecretRef is null)
            {
                errors.Required(itemPath, "must specify one of: `configMapRef` or `secretRef`");
            }
            else if (source.ConfigMapRef is not null && source.SecretRef is not null)
            {
                errors.Add(FieldError.Invalid(itemPath, "", "may not have more than one field specified at a time"));
            }
            else if (source.ConfigMapRef is { } configMapRef)
            {
                ValidateRefName($"{itemPath}.configMapRef.name", configMapRef.Name, errors);
            }
            else
            {
                ValidateRefName($"{itemPath}.secretRef.name", source.SecretRef!.Name, errors);
            }
        }
    }

    private static void ValidateRefName(string path, string name, ErrorList errors)
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

    /// <summary>Resource names and quantities, and that no request is above its limit.</summary>
    public static void ValidateResources(string path, ResourceRequirements? resources, ErrorList errors)
    {
        if (resources is null)
        {
            return;
        }

        var limits = new Dictionary<string, Quantity>(StringComparer.Ordinal);
        foreach (var (name, value) in resources.Limits)
        {
            ValidateResourceName($"{path}.limits[{name}]", name, errors);
            if (errors.Quantity($"{path}.limits[{name}]", value) is { } quantity)
            {
                limits[name] = quantity;
            }
        }

        foreach (var (name, value) in resources.Requests)
        {
            ValidateResourceName($"{path}.requests[{name}]", name, errors);
            if (errors.Quantity($"{path}.requests[{name}]", value) is { } request
                && limits.TryGetValue(name, out var limit) && request > limit)
            {
                errors.Add(FieldError.Invalid($"{path}.requests[{name}]", value, $"must be less than or equal to {name} limit of {limit}"));
            }
        }
    }

    private static void ValidateResourceName(string path, string name, ErrorList errors)
    {
        var reasons = NameValidation.IsQualifiedName(name);
        if (reasons.Count > 0)
        {
            errors.Invalid(path, name, reasons);
        }
        else if (!name.Contains('/') && name is not ("cpu" or "memory" or "ephemeral-storage" or "storage" or "pods") && !name.StartsWith("hugepages-", StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid(path, name, "must be a standard resource type or fully qualified"));
        }
    }

    private static void ValidateVolumeMounts(string path, Container container, HashSet<string> volumes, ErrorList errors)
    {
        var mountPaths = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < container.VolumeMounts.Count; i++)
        {
            var mount = container.VolumeMounts[i];
            var itemPath = $"{path}.volumeMounts[{i}]";
            if (mount.Name.Length == 0)
            {
                errors.Required($"{itemPath}.name");
            }
            else if (!volumes.Contains(mount.Name))
            {
                errors.Add(new FieldError($"{itemPath}.name", $"Not found: {FieldError.Show(mount.Name)}"));
            }

            if (mount.MountPath.Length == 0)
            {
                errors.Required($"{itemPath}.mountPath");
            }
            else if (!mountPaths.Add(mount.MountPath))
            {
                errors.Add(FieldError.Invalid($"{itemPath}.mountPath", mount.MountPath, "must be unique"));
            }

            if (mount.SubPath.Length > 0)
            {
                errors.Invalid($"{itemPath}.subPath", mount.SubPath, NameValidation.IsRelativePathWithoutBacksteps(mount.SubPath));
            }
        }
    }

    private static void ValidateProbe(string path, Probe? probe, bool forbidden, bool mustSucceedOnce, ErrorList errors)
    {
        if (probe is null)
        {
            return;
        }

        if (forbidden)
        {
            errors.Add(FieldError.Forbidden(path, "may not be set for init containers without restartPolicy=Always"));
            return;
        }

        var handlers = new (string Name, object? Handler)[] { ("exec", probe.Exec), ("httpGet", probe.HttpGet), ("tcpSocket", probe.TcpSocket) }
            .Where(h => h.Handler is not null).ToList();
        if (handlers.Count == 0)
        {
            errors.Required(path, "must specify a handler type");
        }
        else if (handlers.Count > 1)
        {
            errors.Add(FieldError.Forbidden($"{path}.{handlers[1].Name}", "may not specify more than 1 handler type"));
        }

        if (probe.Exec is { Command.Count: 0 })
        {
            errors.Required($"{path}.exec.command");
        }

        if (probe.HttpGet is { } http)
        {
            ValidatePortNumOrName($"{path}.httpGet.port", http.Port, errors);
            errors.OneOf($"{path}.httpGet.scheme", http.Scheme, false, "HTTP", "HTTPS");
        }

        if (probe.TcpSocket is { } tcp)
        {
            ValidatePortNumOrName($"{path}.tcpSocket.port", tcp.Port, errors);
        }

        errors.NonNegative($"{path}.initialDelaySeconds", probe.InitialDelaySeconds);
        errors.NonNegative($"{path}.timeoutSeconds", probe.TimeoutSeconds);
        errors.NonNegative($"{path}.periodSeconds", probe.PeriodSeconds);
        errors.NonNegative($"{path}.successThreshold", probe.SuccessThreshold);
        errors.NonNegative($"{path}.failureThreshold", probe.FailureThreshold);
        if (mustSucceedOnce && probe.SuccessThreshold > 1)
        {
            errors.Add(FieldError.Invalid($"{path}.successThreshold", probe.SuccessThreshold, "must be 1"));
        }
    }

    /// <summary>An int-or-string port: a number 1-65535 or the name of a container port.</summary>
    public static void ValidatePortNumOrName(string path, Value? port, ErrorList errors)
    {
        if (port is { KindCase: not Value.KindOneofCase.None } && !errors.IntOrString(path, port))
        {
            return;
        }

        switch (port?.KindCase)
        {
            case Value.KindOneofCase.NumberValue:
                errors.Invalid(path, port.NumberValue, NameValidation.IsValidPortNumber((long)port.NumberValue));
                break;
            case Value.KindOneofCase.StringValue:
                errors.Invalid(path, port.StringValue, NameValidation.IsValidPortName(port.StringValue));
                break;
            default:
                errors.Required(path);
                break;
        }
    }

    [GeneratedRegex(@"^metadata\.(labels|annotations)\['(?<key>[^']+)'\]$")]
    private static partial Regex SubscriptedFieldPath();
}
