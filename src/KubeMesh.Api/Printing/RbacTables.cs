using Google.Protobuf.Collections;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Rbac.V1;

namespace KubeMesh.Api.Printing;

/// <summary>Roles and ClusterRoles as kube's printers show them: name and creation time.</summary>
public sealed class RoleTable<T>(Func<T, ObjectMeta?> metadata) : TableDefinition<T>
    where T : Google.Protobuf.IMessage
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
        [TableColumn.ObjectName, new("Created At", "date", Description: "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.")];

    protected override IReadOnlyList<string> Cells(T role, DateTimeOffset now) =>
        [metadata(role)?.Name ?? "", metadata(role)?.CreationTimestamp?.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? ""];
}

/// <summary>RoleBindings and ClusterRoleBindings: the role they grant, their age, and with -o wide their subjects by kind.</summary>
public sealed class RoleBindingTable<T>(Func<T, ObjectMeta?> metadata, Func<T, RoleRef?> roleRef, Func<T, RepeatedField<Subject>> subjects) : TableDefinition<T>
    where T : Google.Protobuf.IMessage
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("Role", Description: "RoleRef is the reference to the role the binding grants."),
        TableColumn.Age,
        TableColumn.Wide("Users", "Users in the binding."),
        TableColumn.Wide("Groups", "Groups in the binding."),
        TableColumn.Wide("ServiceAccounts", "ServiceAccounts in the binding."),
    ];

    protected override IReadOnlyList<string> Cells(T binding, DateTimeOffset now)
    {
        var all = subjects(binding);
        string Of(string kind, Func<Subject, string> text) => string.Join(", ", all.Where(s => s.Kind == kind).Select(text));
        var role = roleRef(binding);
        return
        [
            metadata(binding)?.Name ?? "",
            role is null ? "" : $"{role.Kind}/{role.Name}",
            HumanDuration.Since(metadata(binding)?.CreationTimestamp, now),
            Of("User", s => s.Name),
            Of("Group", s => s.Name),
            Of("ServiceAccount", s => $"{s.Namespace}/{s.Name}"),
        ];
    }
}
