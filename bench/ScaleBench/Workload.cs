using System.Globalization;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.Bench.Scale;

/// <summary>
/// What the benchmark runs: pods with requests, tolerating the hollow nodes' taint, spread by nodeSelectors over the
/// labels the bench gives the nodes (zone-0..zone-9 by ordinal, disktype=ssd on every other node).
/// </summary>
public static class Workload
{
    public const string ZoneLabel = "topology.kubernetes.io/zone";
    public const string DiskLabel = "disktype";
    public const int Zones = 10;

    /// <summary>No selector, each zone, and ssd: 12 placements, used round-robin.</summary>
    public static IReadOnlyDictionary<string, string> Selector(int n) => (n % (Zones + 2)) switch
    {
        0 => new Dictionary<string, string>(),
        1 => new Dictionary<string, string> { [DiskLabel] = "ssd" },
        var z => new Dictionary<string, string> { [ZoneLabel] = Zone(z - 2) },
    };

    public static string Zone(int n) => "zone-" + n.ToString(CultureInfo.InvariantCulture);

    public static PodSpec Spec(IReadOnlyDictionary<string, string> selector, string cpu = "100m", string memory = "64Mi") => new()
    {
        TerminationGracePeriodSeconds = 0,
        NodeSelector = { new Dictionary<string, string>(selector) },
        Tolerations = { new Toleration { Key = "kubemesh.io/hollow", Operator = "Exists", Effect = "NoSchedule" } },
        Containers =
        {
            new Container
            {
                Name = "app",
                Image = "nginx",
                Resources = new ResourceRequirements { Requests = { ["cpu"] = cpu, ["memory"] = memory } },
            },
        },
    };

    public static Pod Pod(string ns, string name, int n) => new()
    {
        Metadata = new ObjectMeta { Namespace = ns, Name = name, Labels = { ["app"] = "bare" } },
        Spec = Spec(Selector(n)),
    };

    public static Deployment Deployment(string ns, string name, int replicas, IReadOnlyDictionary<string, string> selector, string cpu = "100m", string memory = "64Mi") => new()
    {
        Metadata = new ObjectMeta { Namespace = ns, Name = name },
        Spec = new DeploymentSpec
        {
            Replicas = replicas,
            Selector = new LabelSelector { MatchLabels = { ["app"] = name } },
            Template = new PodTemplateSpec
            {
                Metadata = new ObjectMeta { Labels = { ["app"] = name } },
                Spec = Spec(selector, cpu, memory),
            },
        },
    };
}
