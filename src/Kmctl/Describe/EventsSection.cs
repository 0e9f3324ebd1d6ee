using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Printing;

namespace KubeMesh.Kmctl.Describe;

/// <summary>The Events table at the end of kubectl describe: Type, Reason, Age, From, Message, oldest first.</summary>
public static class EventsSection
{
    public static void Write(DescriptionWriter w, IEnumerable<Event> events, DateTimeOffset now)
    {
        var list = events.OrderBy(e => (e.LastTimestamp ?? e.FirstTimestamp ?? e.Metadata?.CreationTimestamp)?.ToDateTimeOffset() ?? DateTimeOffset.MinValue).ToList();
        if (list.Count == 0)
        {
            w.Line(0, "Events:\t<none>");
            return;
        }

        w.Line(0, "Events:");
        w.Line(1, "Type\tReason\tAge\tFrom\tMessage");
        w.Line(1, "----\t------\t----\t----\t-------");
        foreach (var e in list)
        {
            var from = e.Source is { Component.Length: > 0 } s ? (s.Host.Length > 0 ? $"{s.Component}, {s.Host}" : s.Component) : e.ReportingComponent;
            w.Line(1, $"{e.Type}\t{e.Reason}\t{EventTable.Times(e, now).Last}\t{from}\t{e.Message.Trim()}");
        }
    }
}
