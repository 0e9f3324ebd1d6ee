using KubeMesh.Api.Core.V1;

namespace KubeMesh.Api.Printing;

public sealed class NodeTable : TableDefinition<Node>
{
    private const string RolePrefix = "node-role.kubernetes.io/";

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        new("Status", Description: "The status of the node."),
        new("Roles", Description: "The roles of the node."),
        TableColumn.Age,
        new("Version", Description: "The kubelet's version."),
        TableColumn.Wide("Internal-IP", "The node's internal address."),
        TableColumn.Wide("External-IP", "The node's external address."),
        TableColumn.Wide("OS-Image", "The operating system the node reports."),
        TableColumn.Wide("Kernel-Version", "The kernel the node reports."),
        TableColumn.Wide("Container-Runtime", "The container runtime the node reports."),
    ];

    protected override IReadOnlyList<string> Cells(Node node, DateTimeOffset now)
    {
        var status = node.Status ?? new NodeStatus();
        List<string> conditions = [];
        var readyCondition = status.Conditions.FirstOrDefault(c => c.Type == "Ready");
        if (readyCondition is not null)
        {
            conditions.Add(readyCondition.Status == "True" ? "Ready" : "NotReady");
        }

        if (conditions.Count == 0)
        {
            conditions.Add("Unknown");
        }

        if (node.Spec?.Unschedulable == true)
        {
            conditions.Add("SchedulingDisabled");
        }

        var info = status.NodeInfo ?? new NodeSystemInfo();
        return
        [
            node.Metadata?.Name ?? "", string.Join(",", conditions), Roles(node), HumanDuration.Since(node.Metadata?.CreationTimestamp, now), info.KubeletVersion,
            Address(status, "InternalIP"), Address(status, "ExternalIP"), OrUnknown(info.OsImage), OrUnknown(info.KernelVersion),
            OrUnknown(info.ContainerRuntimeVersion),
        ];
    }

    private static string Roles(Node node)
    {
        var labels = node.Metadata?.Labels ?? [];
        var roles = labels.Keys.Where(k => k.StartsWith(RolePrefix, StringComparison.Ordinal)).Select(k => k[RolePrefix.Length..]).Where(r => r.Length > 0)
            .Concat(labels.TryGetValue("kubernetes.io/role", out var role) && role.Length > 0 ? [role] : [])
            .Distinct().Order(StringComparer.Ordinal).ToList();
        return roles.Count == 0 ? "<none>" : string.Join(",", roles);
    }

    private static string Address(NodeStatus status, string type) =>
        OrNone(status.Addresses.FirstOrDefault(a => a.Type == type)?.Address);

    private static string OrUnknown(string value) => value.Length == 0 ? "<unknown>" : value;
}
