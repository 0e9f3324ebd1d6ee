using KubeMesh.Api.Core.V1;
using KubeMesh.Kubelet.Pods;

namespace KubeMesh.Kubelet.Tests.Pods;

/// <summary>resourceFieldRef's arithmetic as the kubelet's: whole millicores for cpu, whole units otherwise, rounded up.</summary>
public sealed class ResourceFieldTests
{
    private static readonly Dictionary<string, string> Node = new() { ["cpu"] = "2", ["memory"] = "4Gi", ["pods"] = "110" };

    [Theory]
    [InlineData("limits.cpu", "", "1")]
    [InlineData("limits.cpu", "1m", "1")]
    [InlineData("limits.memory", "", "3")]
    [InlineData("limits.memory", "1k", "1")]
    [InlineData("requests.cpu", "1m", "1")]
    [InlineData("limits.ephemeral-storage", "", "0")]
    public void Resolve_FractionalQuantities_RoundUpAsKubernetes(string resource, string divisor, string expected)
    {
        // 0.5m of cpu is 1m to Kubernetes (MilliValue rounds up), and 2.5 bytes are 3.
        var pod = PodWith(new Container { Name = "c", Resources = new ResourceRequirements { Limits = { ["cpu"] = "0.0005", ["memory"] = "2.5" } } });

        Assert.Equal(expected, ResourceField.Resolve(pod, pod.Spec.Containers[0], Selector(resource, divisor), Node));
    }

    [Fact]
    public void Resolve_InitContainerByName_ReadsItsResources()
    {
        var pod = PodWith(new Container { Name = "main" });
        pod.Spec.InitContainers.Add(new Container { Name = "setup", Resources = new ResourceRequirements { Limits = { ["memory"] = "1Gi" } } });

        Assert.Equal("1024", ResourceField.Resolve(pod, pod.Spec.Containers[0], Selector("limits.memory", "1Mi", "setup"), Node));
        Assert.Equal("4096", ResourceField.Resolve(pod, pod.Spec.Containers[0], Selector("limits.memory", "1Mi"), Node));
    }

    [Theory]
    [InlineData("limits.gpu", "", "resourceFieldRef.resource: Unsupported value: \"limits.gpu\"")]
    [InlineData("limits.cpu", "zero", "resourceFieldRef.divisor: Invalid value: \"zero\"")]
    [InlineData("limits.cpu", "0", "resourceFieldRef.divisor: Invalid value: \"0\": must be greater than 0")]
    public void Resolve_BadSelector_NamesTheField(string resource, string divisor, string message)
    {
        var pod = PodWith(new Container { Name = "c" });

        var error = Assert.Throws<ContainerConfigException>(() => ResourceField.Resolve(pod, pod.Spec.Containers[0], Selector(resource, divisor), Node));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Resolve_VolumeItemWithoutContainerName_IsNotFound()
    {
        var pod = PodWith(new Container { Name = "c" });

        var error = Assert.Throws<ContainerConfigException>(() => ResourceField.Resolve(pod, self: null, Selector("limits.cpu", ""), Node));

        Assert.Equal("resourceFieldRef.containerName: Not found: \"\"", error.Message);
    }

    private static Pod PodWith(Container container) => new() { Spec = new PodSpec { Containers = { container } } };

    private static ResourceFieldSelector Selector(string resource, string divisor, string containerName = "") =>
        new() { Resource = resource, Divisor = divisor, ContainerName = containerName };
}
