using KubeMesh.Api.Core.V1;

namespace KubeMesh.Api.Printing;

public sealed class ServiceTable : TableDefinition<Service>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("Type", Description: "ClusterIP, NodePort, LoadBalancer or ExternalName."),
        new("Cluster-IP", Description: "The service's virtual address inside the cluster."),
        new("External-IP", Description: "The addresses the service is reached at from outside."),
        new("Port(s)", Description: "The service's ports (and node ports)."),
        TableColumn.Age,
        TableColumn.Wide("Selector", "The label selector of the service's pods."),
    ];

    protected override IReadOnlyList<string> Cells(Service svc, DateTimeOffset now)
    {
        var spec = svc.Spec ?? new ServiceSpec();
        var type = spec.Type.Length == 0 ? "ClusterIP" : spec.Type;
        return
        [
            svc.Metadata?.Name ?? "", type, OrNone(spec.ClusterIp), ExternalIp(svc, type), Ports(spec),
            HumanDuration.Since(svc.Metadata?.CreationTimestamp, now), Labels.Format(spec.Selector),
        ];
    }

    private static string ExternalIp(Service svc, string type)
    {
        var externalIps = svc.Spec?.ExternalIps ?? [];
        switch (type)
        {
            case "ClusterIP" or "NodePort":
                return externalIps.Count > 0 ? string.Join(",", externalIps) : "<none>";
            case "LoadBalancer":
                var lb = LoadBalancer(svc.Status?.LoadBalancer);
                if (externalIps.Count > 0)
                {
                    return string.Join(",", (lb.Length > 0 ? lb.Split(',') : []).Concat(externalIps));
                }

                return lb.Length > 0 ? lb : "<pending>";
            case "ExternalName":
                return svc.Spec!.ExternalName;
            default:
                return "<unknown>";
        }
    }

    /// <summary>
    /// Every load-balancer address, never shortened: kube-apiserver renders its tables as wide, so kubectl shows the
    /// whole list even without -o wide (only its old client-side printer cut it at 16 characters).
    /// </summary>
    private static string LoadBalancer(LoadBalancerStatus? status) =>
        string.Join(",", status?.Ingress.Select(i => i.Ip.Length > 0 ? i.Ip : i.Hostname).Where(s => s.Length > 0) ?? []);

    private static string Ports(ServiceSpec spec)
    {
        if (spec.Ports.Count == 0)
        {
            return "<none>";
        }

        return string.Join(",", spec.Ports.Select(p =>
        {
            var protocol = p.Protocol.Length == 0 ? "TCP" : p.Protocol;
            return p.NodePort != 0 ? $"{p.Port}:{p.NodePort}/{protocol}" : $"{p.Port}/{protocol}";
        }));
    }
}
