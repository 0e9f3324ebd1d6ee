using KubeMesh.Api.Networking.V1;

namespace KubeMesh.Api.Printing;

public sealed class IngressTable : TableDefinition<Ingress>
{
    private const int MaxHosts = 4;

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("Class", Description: "The IngressClass that handles this ingress."),
        new("Hosts", Description: "Hosts that incoming requests are matched against."),
        new("Address", Description: "Where the load balancer takes the ingress's traffic."),
        new("Ports", Description: "The ports the ingress is served on."),
        TableColumn.Age,
    ];

    protected override IReadOnlyList<string> Cells(Ingress ing, DateTimeOffset now)
    {
        var spec = ing.Spec ?? new IngressSpec();
        var address = string.Join(",", ing.Status?.LoadBalancer?.Ingress.Select(i => i.Ip.Length > 0 ? i.Ip : i.Hostname).Where(s => s.Length > 0) ?? []);
        return
        [
            ing.Metadata?.Name ?? "", spec.HasIngressClassName ? spec.IngressClassName : "<none>", Hosts(spec), address, spec.Tls.Count > 0 ? "80, 443" : "80",
            HumanDuration.Since(ing.Metadata?.CreationTimestamp, now),
        ];
    }

    private static string Hosts(IngressSpec spec)
    {
        var hosts = spec.Rules.Take(MaxHosts).Select(r => r.Host).Where(h => h.Length > 0).ToList();
        if (hosts.Count == 0)
        {
            return "*";
        }

        var joined = string.Join(",", hosts);
        return spec.Rules.Count > MaxHosts ? $"{joined} + {spec.Rules.Count - MaxHosts} more..." : joined;
    }
}
