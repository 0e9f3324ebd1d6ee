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
            case Pod pod when existing is Pod old && pod.Spec is not null && old.Spec is not null:
                if (string.IsNullOrEmpty(pod.Spec.NodeName))
                {
                    pod.Spec.NodeName = old.Spec.NodeName;
                }

                KeepServiceAccountAdmission(pod.Spec, old.Spec);
                break;
            case Service service when existing is Service old && service.Spec is not null && old.Spec is not null:
                KeepServiceAllocations(service.Spec, old.Spec);
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// What ServiceAccount admission added at create, which a manifest that never said it leaves as it is: the account
    /// name, the kube-api-access volume, and each container's mount of it.
    /// </summary>
    private static void KeepServiceAccountAdmission(PodSpec spec, PodSpec old)
    {
        if (string.IsNullOrEmpty(spec.ServiceAccountName))
        {
            spec.ServiceAccountName = old.ServiceAccountName;
        }

        if (string.IsNullOrEmpty(spec.ServiceAccount))
        {
            spec.ServiceAccount = old.ServiceAccount;
        }

        var added = old.Volumes.Where(v => v.Name.StartsWith(ServiceAccountAdmission.VolumePrefix, StringComparison.Ordinal) && spec.Volumes.All(m => m.Name != v.Name)).ToList();
        if (added.Count == 0)
        {
            return;
        }

        spec.Volumes.Add(added.Select(v => v.Clone()));
        var names = added.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var container in spec.InitContainers.Concat(spec.Containers))
        {
            var before = old.InitContainers.Concat(old.Containers).FirstOrDefault(c => c.Name == container.Name);
            foreach (var mount in before?.VolumeMounts.Where(m => names.Contains(m.Name) && container.VolumeMounts.All(x => x.Name != m.Name)) ?? [])
            {
                container.VolumeMounts.Add(mount.Clone());
            }
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
