using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Quantities;
using KubeMesh.Kubelet.Pods;

namespace KubeMesh.Kubelet.Volumes;

/// <summary>
/// The downward API's resourceFieldRef (ExtractResourceValueByContainerName): a container's limit or request,
/// divided by the divisor and rounded up; an unset limit is the node's allocatable amount.
/// </summary>
public static class ResourceField
{
    /// <exception cref="ContainerConfigException">The container or resource is unknown, or a quantity does not parse.</exception>
    public static string Resolve(Pod pod, ResourceFieldSelector selector, string nodeCpu, string nodeMemory)
    {
        var container = pod.Spec.Containers.Concat(pod.Spec.InitContainers).FirstOrDefault(c => c.Name == selector.ContainerName)
            ?? throw new ContainerConfigException($"resourceFieldRef.containerName: Not found: \"{selector.ContainerName}\"");
        var resources = container.Resources ?? new ResourceRequirements();
        var (map, name) = selector.Resource.Split('.', 2) switch
        {
            ["limits", var n] => (resources.Limits, n),
            ["requests", var n] => (resources.Requests, n),
            _ => throw new ContainerConfigException($"resourceFieldRef.resource: Unsupported value: \"{selector.Resource}\""),
        };
        if (name is not ("cpu" or "memory" or "ephemeral-storage"))
        {
            throw new ContainerConfigException($"resourceFieldRef.resource: Unsupported value: \"{selector.Resource}\"");
        }

        var text = map.GetValueOrDefault(name);
        if (string.IsNullOrEmpty(text))
        {
            // Kubernetes reports an unset limit as the node's allocatable amount, and an unset request as 0 (or the limit).
            text = map == resources.Limits ? (name == "cpu" ? nodeCpu : nodeMemory) : resources.Limits.GetValueOrDefault(name) ?? "0";
        }

        var value = Parse(text, "resource");
        var divisor = string.IsNullOrEmpty(selector.Divisor) ? 1m : Parse(selector.Divisor, "divisor");
        if (divisor == 0)
        {
            throw new ContainerConfigException("resourceFieldRef.divisor: Invalid value: \"0\"");
        }

        return decimal.Ceiling(value / divisor).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static decimal Parse(string text, string field) =>
        Quantity.TryParse(text, out var quantity) ? quantity.Amount : throw new ContainerConfigException($"resourceFieldRef.{field}: Invalid value: \"{text}\"");
}
