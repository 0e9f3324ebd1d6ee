using KubeMesh.Api.Core.V1;

namespace KubeMesh.Kmctl.Printing.Tables;

public sealed class NodeTable : TableDefinition<Node>
{
    private const string RolePrefix = "node-role.kubernetes.io/";

    public override IReadOnlyList<string> Headers => ["NAME", "STATUS", "ROLES", "AGE", "VERSION"];

    public override IReadOnlyList<string> WideHeaders => ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"];

    protected override IReadOnlyList<string> Cells(Node node, bool wide, DateTimeOffset now)
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
        List<string> cells = [string.Join(",", conditions), Roles(node), HumanDuration.Since(node.Metadata?.CreationTimestamp, now), info.KubeletVersion];
        if (wide)
        {
            cells.AddRange(
            [
                Address(status, "InternalIP"), Address(status, "ExternalIP"), OrUnknown(info.OsImage), OrUnknown(info.KernelVersion),
                OrUnknown(info.ContainerRuntimeVersion),
            ]);
        }

        return cells;
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
