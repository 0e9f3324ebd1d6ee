using KubeMesh.Api.Core.V1;

namespace KubeMesh.Api.Printing;

/// <summary>kubectl get events: LAST SEEN TYPE REASON OBJECT MESSAGE; NAME is not a column.</summary>
public sealed class EventTable : TableDefinition<Event>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        new("Last Seen", Description: "When the event last happened."),
        new("Type", Description: "Normal or Warning."),
        new("Reason", Description: "Why the event happened, in CamelCase."),
        new("Object", Description: "The object the event is about."),
        TableColumn.Wide("Subobject", "The part of the object, such as a container."),
        TableColumn.Wide("Source", "The component that reported the event."),
        new("Message", Description: "What happened, for a person to read."),
        TableColumn.Wide("First Seen", "When the event first happened."),
        TableColumn.Wide("Count", "How many times the event happened."),
        TableColumn.ObjectName with { Priority = 1 },
    ];

    protected override IReadOnlyList<string> Cells(Event ev, DateTimeOffset now)
    {
        var (first, last) = Times(ev, now);
        var target = $"{ev.InvolvedObject?.Kind.ToLowerInvariant()}/{ev.InvolvedObject?.Name}";
        var source = ev.Source is { Component.Length: > 0 } s ? (s.Host.Length > 0 ? $"{s.Component}, {s.Host}" : s.Component) : ev.ReportingComponent;
        return [last, ev.Type, ev.Reason, target, ev.InvolvedObject?.FieldPath ?? "", source, ev.Message.Trim(), first, ev.Count.ToString(), ev.Metadata?.Name ?? ""];
    }

    /// <summary>First and last seen as kubectl prints them: "5s", or "3m (x4 over 10m)" for repeated events.</summary>
    public static (string First, string Last) Times(Event ev, DateTimeOffset now)
    {
        var first = HumanDuration.Since(ev.FirstTimestamp ?? ev.Metadata?.CreationTimestamp, now);
        var last = ev.LastTimestamp is null ? first : HumanDuration.Since(ev.LastTimestamp, now);
        return (first, ev.Count > 1 ? $"{last} (x{ev.Count} over {first})" : last);
    }
}
