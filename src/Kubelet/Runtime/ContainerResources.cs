using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Quantities;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// A container's resources as the runtime enforces them (CRI's LinuxContainerResources): the memory limit in bytes,
/// the CPU limit and request in millicores. Null means unset.
/// </summary>
public sealed record ContainerResources(long? MemoryLimitBytes, long? CpuLimitMillis, long? CpuRequestMillis)
{
    public static ContainerResources None { get; } = new(null, null, null);

    public bool IsEmpty => MemoryLimitBytes is null && CpuLimitMillis is null && CpuRequestMillis is null;

    /// <summary>
    /// From a container's spec.resources. A CPU request defaults to the limit, as Kubernetes defaults it. Quantities
    /// were validated by the api-server; one that still does not parse is treated as unset.
    /// </summary>
    public static ContainerResources From(ResourceRequirements? resources)
    {
        if (resources is null)
        {
            return None;
        }

        var memoryLimit = Parse(resources.Limits, "memory")?.Value;
        var cpuLimit = Parse(resources.Limits, "cpu")?.MilliValue;
        var cpuRequest = Parse(resources.Requests, "cpu")?.MilliValue ?? cpuLimit;
        return new ContainerResources(memoryLimit, cpuLimit, cpuRequest);
    }

    private static Quantity? Parse(IDictionary<string, string> map, string name) =>
        map.TryGetValue(name, out var text) && Quantity.TryParse(text, out var quantity) && !quantity.IsZero ? quantity : null;
}
