using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Quantities;

namespace KubeMesh.Kubelet.Pods;

/// <summary>
/// The downward API's resourceFieldRef, for env and volumes alike, as the kubelet computes it
/// (containerResourceRuntimeValue over defaultPodLimitsForDownwardAPI): a container's limit or request divided by
/// the divisor and rounded up, cpu in whole millicores and the rest in whole units first. An unset limit is the
/// node's allocatable amount of that resource (0 where the node reports none); an unset request is its limit, else 0.
/// </summary>
public static class ResourceField
{
    private static readonly string[] Resources = ["cpu", "memory", "ephemeral-storage"];

    /// <param name="self">The container whose env refers to the field: the one meant when containerName is empty.</param>
    /// <param name="allocatable">The node's allocatable resources, as its status reports them.</param>
    /// <exception cref="ContainerConfigException">The container or resource is unknown, or a quantity does not parse.</exception>
    public static string Resolve(Pod pod, Container? self, ResourceFieldSelector selector, IReadOnlyDictionary<string, string> allocatable)
    {
        var container = string.IsNullOrEmpty(selector.ContainerName) && self is not null
            ? self
            : pod.Spec.Containers.Concat(pod.Spec.InitContainers).FirstOrDefault(c => c.Name == selector.ContainerName)
                ?? throw new ContainerConfigException($"resourceFieldRef.containerName: Not found: \"{selector.ContainerName}\"");
        var resources = container.Resources ?? new ResourceRequirements();
        var (limit, name) = selector.Resource.Split('.', 2) switch
        {
            ["limits", var n] => (true, n),
            ["requests", var n] => (false, n),
            _ => throw Unsupported(selector),
        };
        if (!Resources.Contains(name))
        {
            throw Unsupported(selector);
        }

        var text = limit
            ? resources.Limits.GetValueOrDefault(name) ?? allocatable.GetValueOrDefault(name)
            : resources.Requests.GetValueOrDefault(name) ?? resources.Limits.GetValueOrDefault(name);
        var value = string.IsNullOrEmpty(text) ? Quantity.Zero : Parse(text, "resource");
        var divisor = string.IsNullOrEmpty(selector.Divisor) ? Quantity.FromValue(1) : Parse(selector.Divisor, "divisor");
        long amount, per;
        try
        {
            (amount, per) = name == "cpu" ? (value.MilliValue, divisor.MilliValue) : (value.Value, divisor.Value);
        }
        catch (OverflowException)
        {
            throw new ContainerConfigException($"resourceFieldRef: {selector.Resource} of container {container.Name} or divisor \"{selector.Divisor}\" is out of range");
        }

        if (per <= 0)
        {
            throw new ContainerConfigException($"resourceFieldRef.divisor: Invalid value: \"{selector.Divisor}\": must be greater than 0");
        }

        return decimal.Ceiling((decimal)amount / per).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static ContainerConfigException Unsupported(ResourceFieldSelector selector) =>
        new($"resourceFieldRef.resource: Unsupported value: \"{selector.Resource}\"");

    private static Quantity Parse(string text, string field) =>
        Quantity.TryParse(text, out var quantity) ? quantity : throw new ContainerConfigException($"resourceFieldRef.{field}: Invalid value: \"{text}\"");
}
