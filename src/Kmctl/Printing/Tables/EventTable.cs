using KubeMesh.Api.Core.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

/// <summary>kubectl get events: LAST SEEN TYPE REASON OBJECT MESSAGE; NAME is not a column.</summary>
public sealed class EventTable : TableDefinition<Event>
{
    public override IReadOnlyList<string> Headers => ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];

    public override IReadOnlyList<string> WideHeaders => ["SUBOBJECT", "SOURCE", "FIRST SEEN", "COUNT", "NAME"];

    public override bool HasNameColumn => false;

    protected override IReadOnlyList<string> Cells(Event ev, bool wide, DateTimeOffset now)
    {
        var (first, last) = Times(ev, now);
        var target = $"{ev.InvolvedObject?.Kind.ToLowerInvariant()}/{ev.InvolvedObject?.Name}";
        List<string> cells = [last, ev.Type, ev.Reason, target, ev.Message.Trim()];
        if (wide)
        {
            var source = ev.Source is { Component.Length: > 0 } s ? (s.Host.Length > 0 ? $"{s.Component}, {s.Host}" : s.Component) : ev.ReportingComponent;
            cells.AddRange([ev.InvolvedObject?.FieldPath ?? "", source, first, ev.Count.ToString(), ev.Metadata?.Name ?? ""]);
        }

        return cells;
    }

    /// <summary>First and last seen as kubectl prints them: "5s", or "3m (x4 over 10m)" for repeated events.</summary>
    public static (string First, string Last) Times(Event ev, DateTimeOffset now)
    {
        var first = HumanDuration.Since(ev.FirstTimestamp ?? ev.Metadata?.CreationTimestamp, now);
        var last = ev.LastTimestamp is null ? first : HumanDuration.Since(ev.LastTimestamp, now);
        return (first, ev.Count > 1 ? $"{last} (x{ev.Count} over {first})" : last);
    }
}
