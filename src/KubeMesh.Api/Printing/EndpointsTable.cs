using KubeMesh.Api.Core.V1;

namespace KubeMesh.Api.Printing;

public sealed class EndpointsTable : TableDefinition<Endpoints>
{
    private const int Max = 3;

    public override IReadOnlyList<TableColumn> Columns { get; } =
        [TableColumn.ObjectName, new("Endpoints", Description: "The ready addresses and ports."), TableColumn.Age];

    protected override IReadOnlyList<string> Cells(Endpoints ep, DateTimeOffset now) =>
        [ep.Metadata?.Name ?? "", Format(ep), HumanDuration.Since(ep.Metadata?.CreationTimestamp, now)];

    /// <summary>kubectl's formatEndpoints: the first three ip:port pairs, then "+ N more...".</summary>
    public static string Format(Endpoints ep)
    {
        if (ep.Subsets.Count == 0)
        {
            return "<none>";
        }

        List<string> list = [];
        var count = 0;
        foreach (var subset in ep.Subsets)
        {
            if (subset.Ports.Count == 0)
            {
                count += subset.Addresses.Count;
                list.AddRange(subset.Addresses.Select(a => a.Ip).Take(Max - list.Count));
                continue;
            }

            foreach (var port in subset.Ports)
            {
                count += subset.Addresses.Count;
                list.AddRange(subset.Addresses.Select(a => $"{a.Ip}:{port.Port}").Take(Max - list.Count));
            }
        }

        var joined = string.Join(",", list);
        return count > Max ? $"{joined} + {count - Max} more..." : joined;
    }
}
