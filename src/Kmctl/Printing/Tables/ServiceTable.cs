using KubeMesh.Api.Core.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

public sealed class ServiceTable : TableDefinition<Service>
{
    public override IReadOnlyList<string> Headers => ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"];

    public override IReadOnlyList<string> WideHeaders => ["SELECTOR"];

    protected override IReadOnlyList<string> Cells(Service svc, bool wide, DateTimeOffset now)
    {
        var spec = svc.Spec ?? new ServiceSpec();
        var type = spec.Type.Length == 0 ? "ClusterIP" : spec.Type;
        List<string> cells = [type, OrNone(spec.ClusterIp), ExternalIp(svc, type, wide), Ports(spec), HumanDuration.Since(svc.Metadata?.CreationTimestamp, now)];
        if (wide)
        {
            cells.Add(Labels.Format(spec.Selector));
        }

        return cells;
    }

    private static string ExternalIp(Service svc, string type, bool wide)
    {
        var externalIps = svc.Spec?.ExternalIps ?? [];
        switch (type)
        {
            case "ClusterIP" or "NodePort":
                return externalIps.Count > 0 ? string.Join(",", externalIps) : "<none>";
            case "LoadBalancer":
                var lb = LoadBalancer(svc.Status?.LoadBalancer, wide);
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

    private static string LoadBalancer(LoadBalancerStatus? status, bool wide)
    {
        var result = string.Join(",", status?.Ingress.Select(i => i.Ip.Length > 0 ? i.Ip : i.Hostname).Where(s => s.Length > 0) ?? []);
        return !wide && result.Length > 16 ? result[..13] + "..." : result;
    }

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
