using Google.Protobuf;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Registry;

/// <summary>Spec fields the cluster fills in (a pod's node, a service's addresses) that re-applying a manifest keeps.</summary>
public static class ServerOwnedFields
{
    public static void Keep(ResourceKind kind, IMessage merged, IMessage existing)
    {
        switch (merged)
        {
            case Pod pod when existing is Pod old && string.IsNullOrEmpty(pod.Spec?.NodeName) && pod.Spec is not null:
                pod.Spec.NodeName = old.Spec.NodeName;
                break;
            case Service service when existing is Service old && service.Spec is not null && old.Spec is not null:
                KeepServiceAllocations(service.Spec, old.Spec);
                break;
            default:
                break;
        }
    }

    private static void KeepServiceAllocations(ServiceSpec spec, ServiceSpec old)
    {
        if (string.IsNullOrEmpty(spec.ClusterIp))
        {
            spec.ClusterIp = old.ClusterIp;
            if (spec.ClusterIps.Count == 0)
            {
                spec.ClusterIps.Add(old.ClusterIps);
            }
        }

        foreach (var port in spec.Ports.Where(p => p.NodePort == 0))
        {
            port.NodePort = old.Ports.FirstOrDefault(o => o.Port == port.Port && o.Protocol == (port.Protocol is "" ? "TCP" : port.Protocol))?.NodePort ?? 0;
        }
    }
}
