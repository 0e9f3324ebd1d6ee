using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.ControllerManager.Controllers.Namespaces;

/// <summary>The conditions a terminating namespace reports about its content, with kube's types, reasons and messages.</summary>
internal static class NamespaceConditions
{
    public const string ContentFailure = "NamespaceDeletionContentFailure";
    public const string ContentRemaining = "NamespaceContentRemaining";
    public const string FinalizersRemaining = "NamespaceFinalizersRemaining";

    /// <summary>Status with the conditions for <paramref name="content"/>; a condition keeps its transition time while its status holds.</summary>
    public static NamespaceStatus For(NamespaceStatus? current, NamespaceContent content, DateTimeOffset now)
    {
        var status = current?.Clone() ?? new NamespaceStatus();
        status.Phase = "Terminating";
        Set(status, now, ContentFailure, content.Failures.Count > 0,
            ("ContentDeletionFailed", $"Failed to delete all resource types, {content.Failures.Count} remaining: {string.Join(", ", content.Failures)}"),
            ("ContentDeleted", "All content successfully deleted, may be waiting on finalization"));
        Set(status, now, ContentRemaining, content.Remaining.Count > 0,
            ("SomeResourcesRemain", "Some resources are remaining: " + string.Join(", ", content.Remaining.Select(r => $"{r.Key} has {r.Value} resource instances"))),
            ("ContentRemoved", "All content successfully removed"));
        Set(status, now, FinalizersRemaining, content.Finalizers.Count > 0,
            ("SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: " + string.Join(", ", content.Finalizers.Select(f => $"{f.Key} in {f.Value} resource instances"))),
            ("ContentHasNoFinalizers", "All content-preserving finalizers finished"));
        return status;
    }

    private static void Set(NamespaceStatus status, DateTimeOffset now, string type, bool holds, (string Reason, string Message) whenTrue, (string Reason, string Message) whenFalse)
    {
        var (reason, message) = holds ? whenTrue : whenFalse;
        var value = holds ? "True" : "False";
        var existing = status.Conditions.FirstOrDefault(c => c.Type == type);
        if (existing is null)
        {
            existing = new Condition { Type = type };
            status.Conditions.Add(existing);
        }

        if (existing.Status != value)
        {
            existing.Status = value;
            existing.LastTransitionTime = Timestamp.FromDateTimeOffset(now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)));
        }

        existing.Reason = reason;
        existing.Message = message;
    }
}
