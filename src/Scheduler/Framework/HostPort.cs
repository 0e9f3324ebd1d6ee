using KubeMesh.Api.Core.V1;

namespace KubeMesh.Scheduler.Framework;

/// <summary>A host port a pod claims on its node: address, protocol and port, as kube-scheduler's HostPortInfo keys them.</summary>
public readonly record struct HostPort(string Ip, string Protocol, int Port)
{
    public const string AnyAddress = "0.0.0.0";

    /// <summary>Two claims clash on the same protocol and port when either listens on every address or both on the same one.</summary>
    public bool ConflictsWith(HostPort other) =>
        Port == other.Port && Protocol == other.Protocol && (Ip == other.Ip || Ip == AnyAddress || other.Ip == AnyAddress);

    /// <summary>The host ports of the pod's containers and sidecars (other init containers have exited before these bind).</summary>
    public static IEnumerable<HostPort> Of(Pod pod)
    {
        var containers = pod.Spec?.Containers.Concat(pod.Spec.InitContainers.Where(c => c.RestartPolicy == "Always")) ?? [];
        foreach (var port in containers.SelectMany(c => c.Ports))
        {
            if (port.HostPort > 0)
            {
                yield return new HostPort(
                    string.IsNullOrEmpty(port.HostIp) ? AnyAddress : port.HostIp,
                    string.IsNullOrEmpty(port.Protocol) ? "TCP" : port.Protocol,
                    port.HostPort);
            }
        }
    }
}
