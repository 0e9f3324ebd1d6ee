using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using KubeMesh.Kubelet.Runtime;

namespace KubeMesh.Kubelet.Hollow;

/// <summary>
/// The configuration section "Kubelet:Hollow": how many hollow node agents this process runs (kubemark's hollow
/// nodes) and what they register as. Every other Kubelet:* setting (heartbeat periods, back-off, cluster DNS) applies
/// to each of them as to a real node.
/// </summary>
public sealed class HollowNodeOptions
{
    public const string Section = "Kubelet:Hollow";

    /// <summary>How many hollow nodes this process runs; 0 (the default) runs one real kubelet.</summary>
    public int Nodes { get; set; }

    /// <summary>The ordinal of this process's first node, so several processes can share one cluster.</summary>
    public int FirstIndex { get; set; } = 1;

    /// <summary>Node n is named NamePrefix + n.</summary>
    public string NamePrefix { get; set; } = "hollow-node-";

    /// <summary>Node n's podCIDR is the n-th /24 of this range, and its InternalIP that range's .1 (nothing listens there).</summary>
    public string PodNetwork { get; set; } = "127.128.0.0/9";

    /// <summary>
    /// A folder holding a kubeconfig per node, NAME.conf, whose user is that node (system:node:NAME in system:nodes):
    /// each node then connects with its own credentials. Unset, the nodes share the process's connection
    /// (ApiServer:Kubeconfig or ApiServer:Address), which only an api-server that authorizes everyone accepts.
    /// </summary>
    public string? KubeconfigDirectory { get; set; }

    /// <summary>Node <paramref name="name"/>'s kubeconfig, or null when the nodes share the process's connection.</summary>
    public string? KubeconfigOf(string name) =>
        string.IsNullOrWhiteSpace(KubeconfigDirectory) ? null : Path.Combine(KubeconfigDirectory, name + ".conf");

    /// <summary>Where the process serves /healthz and /readyz (HTTP/1 on 127.0.0.1); 0 takes a free port.</summary>
    public int HealthPort { get; set; }

    /// <summary>Nodes started per second, so 1,000 nodes neither register at once nor heartbeat in step.</summary>
    public double StartRate { get; set; } = 100;

    /// <summary>Each node's capacity and allocatable cpu, memory and pods.</summary>
    public string Cpu { get; set; } = "4";

    public string Memory { get; set; } = "16Gi";

    public int MaxPods { get; set; } = 110;

    /// <summary>Labels every hollow node registers with (kubelet's --node-labels).</summary>
    public string NodeLabels { get; set; } = HollowNode.Label + "=true";

    /// <summary>Taints every hollow node registers with, so only pods that tolerate them land there.</summary>
    public string RegisterWithTaints { get; set; } = HollowNode.Label + "=true:NoSchedule";

    /// <summary>How long a hollow container takes to start (zero: running at once).</summary>
    public TimeSpan StartDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How long an init container, or a container of a pod not restarted Always, runs before it exits 0.</summary>
    public TimeSpan CompletionDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <exception cref="FormatException">A setting is out of range; the message names it.</exception>
    public static HollowNodeOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<HollowNodeOptions>() ?? new HollowNodeOptions();
        if (options.Nodes < 0 || options.FirstIndex < 1)
        {
            throw new FormatException($"{Section}:Nodes and {Section}:FirstIndex: Invalid value: must be at least 0 and 1");
        }

        if (options.Nodes > 0)
        {
            if (options.StartRate <= 0)
            {
                throw new FormatException($"{Section}:StartRate: Invalid value: {options.StartRate}: must be greater than 0");
            }

            options.PodCidrOf(options.FirstIndex + options.Nodes - 1);
        }

        return options;
    }

    public string NodeName(int index) => NamePrefix + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The n-th /24 of <see cref="PodNetwork"/>.</summary>
    /// <exception cref="FormatException">The network is not a range inside 127.0.0.0/8 holding n + 1 /24s.</exception>
    public string PodCidrOf(int index)
    {
        var network = PodIpRange.Parse(PodNetwork);
        if (network.PrefixLength > 24 || index >= 1 << (24 - network.PrefixLength))
        {
            throw new FormatException($"{Section}:PodNetwork: Invalid value: \"{PodNetwork}\": holds no /24 for node {index}; use a wider range");
        }

        var first = BinaryPrimitives.ReadUInt32BigEndian(network.Network.GetAddressBytes());
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, first + ((uint)index << 8));
        return new IPAddress(bytes) + "/24";
    }
}
