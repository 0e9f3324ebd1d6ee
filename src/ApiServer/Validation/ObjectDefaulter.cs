using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Validation;

/// <summary>
/// Fills in the values Kubernetes' defaulting functions fill in, so that stored objects read back complete
/// (restartPolicy Always, Service type ClusterIP, Deployment strategy 25%/25%, ...). The api-server applies it
/// to every written object before validating it. Selectors are not derived from template labels: apps/v1
/// requires them.
/// </summary>
public static class ObjectDefaulter
{
    public static void Apply(ResourceKind kind, IMessage obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (kind.Descriptor != obj.Descriptor)
        {
            throw new ArgumentException($"a {obj.Descriptor.Name} is not a {kind.Kind}", nameof(obj));
        }

        switch (obj)
        {
            case Pod pod when pod.Spec is { } spec:
                PodSpecDefaulter.Apply(spec);
                break;
            case Service service:
                Apply(service);
                break;
            case Secret secret:
                Apply(secret);
                break;
            case Namespace ns:
                ns.Status ??= new NamespaceStatus();
                ns.Status.Phase = ns.Status.Phase.Length == 0 ? "Active" : ns.Status.Phase;
                break;
            case PersistentVolumeClaim claim when claim.Spec is { } claimSpec:
                claimSpec.VolumeMode = claimSpec.VolumeMode.Length == 0 ? "Filesystem" : claimSpec.VolumeMode;
                break;
            case Endpoints endpoints:
                foreach (var port in endpoints.Subsets.SelectMany(s => s.Ports))
                {
                    port.Protocol = port.Protocol.Length == 0 ? "TCP" : port.Protocol;
                }

                break;
            default:
                WorkloadDefaulter.Apply(obj);
                break;
        }
    }

    private static void Apply(Service service)
    {
        var spec = service.Spec ??= new ServiceSpec();
        spec.Type = spec.Type.Length == 0 ? "ClusterIP" : spec.Type;
        spec.SessionAffinity = spec.SessionAffinity.Length == 0 ? "None" : spec.SessionAffinity;
        if (spec.Type != "ExternalName")
        {
            spec.InternalTrafficPolicy = spec.InternalTrafficPolicy.Length == 0 ? "Cluster" : spec.InternalTrafficPolicy;
        }

        if (spec.Type is "NodePort" or "LoadBalancer")
        {
            spec.ExternalTrafficPolicy = spec.ExternalTrafficPolicy.Length == 0 ? "Cluster" : spec.ExternalTrafficPolicy;
        }

        PodSpecDefaulter.DefaultProtocols(spec.Ports);
        foreach (var port in spec.Ports)
        {
            if (port.TargetPort is null || port.TargetPort.KindCase == Value.KindOneofCase.None
                || (port.TargetPort.KindCase == Value.KindOneofCase.NumberValue && port.TargetPort.NumberValue == 0))
            {
                port.TargetPort = Value.ForNumber(port.Port);
            }
        }
    }

    /// <summary>stringData is write-only: Kubernetes merges it into data (winning over data) before validation.</summary>
    private static void Apply(Secret secret)
    {
        secret.Type = secret.Type.Length == 0 ? "Opaque" : secret.Type;
        foreach (var (key, value) in secret.StringData)
        {
            secret.Data[key] = ByteString.CopyFromUtf8(value);
        }

        secret.StringData.Clear();
    }
}
