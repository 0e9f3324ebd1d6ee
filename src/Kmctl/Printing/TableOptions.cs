namespace KubeMesh.Kmctl.Printing;

/// <summary>How kmctl get lays out a table: -o wide, -A's NAMESPACE column, --show-labels, -L columns, kind/name names.</summary>
public sealed record TableOptions(
    bool Wide = false,
    bool WithNamespace = false,
    bool ShowLabels = false,
    IReadOnlyList<string>? LabelColumns = null,
    bool WithKind = false,
    bool NoHeaders = false);
