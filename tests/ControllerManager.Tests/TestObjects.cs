using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.ControllerManager.Tests;

public static class TestObjects
{
    public static PodTemplateSpec Template(string app, string image = "nginx:latest") => new()
    {
        Metadata = new ObjectMeta { Labels = { ["app"] = app } },
        Spec = new PodSpec { Containers = { new Container { Name = "web", Image = image, Ports = { new ContainerPort { Name = "http", ContainerPort_ = 80 } } } } },
    };

    public static ReplicaSet ReplicaSet(string ns, string name, int replicas, string app) => new()
    {
        Metadata = new ObjectMeta { Namespace = ns, Name = name },
        Spec = new ReplicaSetSpec
        {
            Replicas = replicas,
            Selector = new LabelSelector { MatchLabels = { ["app"] = app } },
            Template = Template(app),
        },
    };

    public static Deployment Deployment(string ns, string name, int replicas, string app, string image = "nginx:latest") => new()
    {
        Metadata = new ObjectMeta { Namespace = ns, Name = name },
        Spec = new DeploymentSpec
        {
            Replicas = replicas,
            Selector = new LabelSelector { MatchLabels = { ["app"] = app } },
            Template = Template(app, image),
        },
    };

    public static Pod Pod(string ns, string name, string app, string nodeName = "") => new()
    {
        Metadata = new ObjectMeta { Namespace = ns, Name = name, Labels = { ["app"] = app } },
        Spec = new PodSpec { NodeName = nodeName, Containers = { new Container { Name = "web", Image = "nginx:latest" } } },
    };
}
