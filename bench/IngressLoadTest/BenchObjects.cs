using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Networking.V1;

namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>The objects a run deploys: http-echo pods behind a Service, and an Ingress for bench.local.</summary>
internal static class BenchObjects
{
    public const string Name = "bench-echo";

    public static Ingress Ingress() => new()
    {
        Metadata = new ObjectMeta { Name = Name, Namespace = "default" },
        Spec = new IngressSpec
        {
            Rules =
            {
                new IngressRule
                {
                    Host = InProcessCluster.Host,
                    Http = new HTTPIngressRuleValue
                    {
                        Paths =
                        {
                            new HTTPIngressPath
                            {
                                Path = "/",
                                PathType = "Prefix",
                                Backend = new IngressBackend { Service = new IngressServiceBackend { Name = Name, Port = new ServiceBackendPort { Number = 80 } } },
                            },
                        },
                    },
                },
            },
        },
    };

    public static Deployment Deployment(int replicas) => new()
    {
        Metadata = new ObjectMeta { Name = Name, Namespace = "default" },
        Spec = new DeploymentSpec
        {
            Replicas = replicas,
            Selector = new LabelSelector { MatchLabels = { ["app"] = Name } },
            Template = new PodTemplateSpec
            {
                Metadata = new ObjectMeta { Labels = { ["app"] = Name } },
                Spec = new PodSpec
                {
                    Containers =
                    {
                        new Container
                        {
                            Name = "echo",
                            Image = "hashicorp/http-echo",
                            Args = { "-listen=:5678", "-text=bench" },
                            Ports = { new ContainerPort { ContainerPort_ = 5678 } },
                        },
                    },
                },
            },
        },
    };

    public static Service Service() => new()
    {
        Metadata = new ObjectMeta { Name = Name, Namespace = "default" },
        Spec = new ServiceSpec
        {
            Selector = { ["app"] = Name },
            Ports = { new ServicePort { Port = 80, TargetPort = Value.ForNumber(5678) } },
        },
    };
}
