using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>Services (type, ports, cluster IP, ExternalName) and Endpoints.</summary>
internal static class ServiceValidator
{
    private static readonly string[] Protocols = ["TCP", "UDP", "SCTP"];

    public static void Validate(Service service, ErrorList errors)
    {
        if (service.Spec is not { } spec)
        {
            errors.Required("spec");
            return;
        }

        errors.OneOf("spec.type", spec.Type, true, "ClusterIP", "NodePort", "LoadBalancer", "ExternalName");
        errors.OneOf("spec.sessionAffinity", spec.SessionAffinity, false, "None", "ClientIP");
        errors.OneOf("spec.internalTrafficPolicy", spec.InternalTrafficPolicy, false, "Cluster", "Local");
        errors.OneOf("spec.externalTrafficPolicy", spec.ExternalTrafficPolicy, false, "Cluster", "Local");
        if (spec.ExternalTrafficPolicy.Length > 0 && spec.Type is not ("NodePort" or "LoadBalancer"))
        {
            errors.Add(FieldError.Invalid("spec.externalTrafficPolicy", spec.ExternalTrafficPolicy, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
        }

        errors.Labels("spec.selector", spec.Selector.AsReadOnly());
        ValidateClusterIp(spec, errors);
        if (spec.Type == "ExternalName")
        {
            if (spec.ExternalName.Length == 0)
            {
                errors.Required("spec.externalName");
            }
            else
            {
                errors.Invalid("spec.externalName", spec.ExternalName, NameValidation.IsDns1123Subdomain(spec.ExternalName.TrimEnd('.')));
            }
        }
        else if (spec.Ports.Count == 0 && spec.ClusterIp != "None")
        {
            errors.Required("spec.ports");
        }

        ValidatePorts(spec, errors);
        for (var i = 0; i < spec.ExternalIps.Count; i++)
        {
            errors.Invalid($"spec.externalIPs[{i}]", spec.ExternalIps[i], NameValidation.IsValidIP(spec.ExternalIps[i]));
        }
    }

    private static void ValidateClusterIp(ServiceSpec spec, ErrorList errors)
    {
        if (spec.Type == "ExternalName")
        {
            if (spec.ClusterIp.Length > 0)
            {
                errors.Add(FieldError.Forbidden("spec.clusterIP", "may not be set for ExternalName services"));
            }

            return;
        }

        if (spec.ClusterIp == "None")
        {
            if (spec.Type is "NodePort" or "LoadBalancer")
            {
                errors.Add(FieldError.Invalid("spec.clusterIP", spec.ClusterIp, $"may not be set to 'None' for {spec.Type} services"));
            }
        }
        else if (spec.ClusterIp.Length > 0)
        {
            errors.Invalid("spec.clusterIP", spec.ClusterIp, NameValidation.IsValidIP(spec.ClusterIp));
        }
    }

    private static void ValidatePorts(ServiceSpec spec, ErrorList errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var ports = new HashSet<(int, string)>();
        for (var i = 0; i < spec.Ports.Count; i++)
        {
            var port = spec.Ports[i];
            var path = $"spec.ports[{i}]";
            if (port.Name.Length == 0 && spec.Ports.Count > 1)
            {
                errors.Required($"{path}.name");
            }
            else if (port.Name.Length > 0)
            {
                errors.Invalid($"{path}.name", port.Name, NameValidation.IsDns1123Label(port.Name));
                if (!names.Add(port.Name))
                {
                    errors.Add(FieldError.Duplicate($"{path}.name", port.Name));
                }
            }

            errors.Port($"{path}.port", port.Port);
            errors.OneOf($"{path}.protocol", port.Protocol, true, Protocols);
            if (!ports.Add((port.Port, port.Protocol)))
            {
                errors.Add(FieldError.Duplicate(path, $"{port.Port}/{port.Protocol}"));
            }

            if (port.TargetPort is { KindCase: not Value.KindOneofCase.None } target)
            {
                ContainerValidator.ValidatePortNumOrName($"{path}.targetPort", target, errors);
            }

            if (port.NodePort != 0)
            {
                if (spec.Type is not ("NodePort" or "LoadBalancer"))
                {
                    errors.Add(FieldError.Forbidden($"{path}.nodePort", $"may not be used when `type` is '{spec.Type}'"));
                }
                else
                {
                    errors.Port($"{path}.nodePort", port.NodePort);
                }
            }
        }
    }

    public static void Validate(Endpoints endpoints, ErrorList errors)
    {
        for (var i = 0; i < endpoints.Subsets.Count; i++)
        {
            var subset = endpoints.Subsets[i];
            var path = $"subsets[{i}]";
            ValidateAddresses($"{path}.addresses", subset.Addresses, errors);
            ValidateAddresses($"{path}.notReadyAddresses", subset.NotReadyAddresses, errors);
            for (var j = 0; j < subset.Ports.Count; j++)
            {
                var port = subset.Ports[j];
                if (port.Name.Length == 0 && subset.Ports.Count > 1)
                {
                    errors.Required($"{path}.ports[{j}].name");
                }

                errors.Port($"{path}.ports[{j}].port", port.Port);
                errors.OneOf($"{path}.ports[{j}].protocol", port.Protocol, true, Protocols);
            }
        }
    }

    private static void ValidateAddresses(string path, IList<EndpointAddress> addresses, ErrorList errors)
    {
        for (var i = 0; i < addresses.Count; i++)
        {
            errors.Invalid($"{path}[{i}].ip", addresses[i].Ip, NameValidation.IsValidIP(addresses[i].Ip));
            if (addresses[i].Hostname.Length > 0)
            {
                errors.Invalid($"{path}[{i}].hostname", addresses[i].Hostname, NameValidation.IsDns1123Label(addresses[i].Hostname));
            }
        }
    }
}
