using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.Client.Tests;

internal static class TestPods
{
    public static Pod New(string name, string node = "node1", string @namespace = "default", string app = "web") => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new ObjectMeta { Name = name, Namespace = @namespace, Labels = { ["app"] = app } },
        Spec = new PodSpec { NodeName = node, Containers = { new Container { Name = "c", Image = "busybox" } } },
        Status = new PodStatus { Phase = "Pending" },
    };
}
