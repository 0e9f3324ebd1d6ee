using KubeMesh.Api.Apps.V1;

namespace KubeMesh.Api.Printing;

public sealed class ControllerRevisionTable : TableDefinition<ControllerRevision>
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("Controller", Description: "The object that owns this revision."),
        new("Revision", "integer", Description: "The revision's number in its owner's history."),
        TableColumn.Age,
    ];

    protected override IReadOnlyList<string> Cells(ControllerRevision revision, DateTimeOffset now)
    {
        var owner = revision.Metadata?.OwnerReferences.FirstOrDefault(r => r.Controller);
        var group = owner?.ApiVersion.Contains('/', StringComparison.Ordinal) == true ? "." + owner.ApiVersion[..owner.ApiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
        return
        [
            revision.Metadata?.Name ?? "", owner is null ? "<none>" : $"{owner.Kind.ToLowerInvariant()}{group}/{owner.Name}",
            revision.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture), HumanDuration.Since(revision.Metadata?.CreationTimestamp, now),
        ];
    }
}
