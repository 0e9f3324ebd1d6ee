using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Tests;

/// <summary>Nodes and pods as a kubelet and a user would create them, with only what a test varies.</summary>
internal static class TestObjects
{
    public static Node Node(string name, string cpu = "2", string memory = "4Gi", string pods = "110", string ready = "True", params (string Key, string Value)[] labels)
    {
        var node = new Node
        {
            Metadata = new ObjectMeta { Name = name },
            Spec = new NodeSpec(),
            Status = new NodeStatus(),
        };
        node.Metadata.Labels.Add("kubernetes.io/hostname", name);
        foreach (var (key, value) in labels)
        {
            node.Metadata.Labels[key] = value;
        }

        foreach (var map in new[] { node.Status.Capacity, node.Status.Allocatable })
        {
            map["cpu"] = cpu;
            map["memory"] = memory;
            map["pods"] = pods;
        }

        node.Status.Conditions.Add(new Condition { Type = "Ready", Status = ready, Reason = ready == "True" ? "KubeletReady" : "KubeletNotReady" });
        return node;
    }

    public static Pod Pod(string name, string? cpu = null, string? memory = null, string ns = "default")
    {
        var container = new Container { Name = "app", Image = "nginx" };
        if (cpu is not null || memory is not null)
        {
            container.Resources = new ResourceRequirements();
            if (cpu is not null)
            {
                container.Resources.Requests["cpu"] = cpu;
            }

            if (memory is not null)
            {
                container.Resources.Requests["memory"] = memory;
            }
        }

        var pod = new Pod
        {
            Metadata = new ObjectMeta { Name = name, Namespace = ns },
            Spec = new PodSpec(),
        };
        pod.Spec.Containers.Add(container);
        return pod;
    }

    public static Pod OwnedBy(this Pod pod, string controllerUid)
    {
        pod.Metadata.OwnerReferences.Add(new OwnerReference
        {
            ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "rs-" + controllerUid, Uid = controllerUid, Controller = true,
        });
        return pod;
    }

    public static Pod OnNode(this Pod pod, string nodeName)
    {
        pod.Spec.NodeName = nodeName;
        return pod;
    }

    public static Pod WithHostPort(this Pod pod, int hostPort, string protocol = "", string hostIp = "")
    {
        pod.Spec.Containers[0].Ports.Add(new ContainerPort { ContainerPort_ = 80, HostPort = hostPort, Protocol = protocol, HostIp = hostIp });
        return pod;
    }

    public static NodeInfo Info(Node node, params Pod[] pods)
    {
        var info = new NodeInfo(node);
        foreach (var pod in pods)
        {
            info.AddPod(pod.OnNode(node.Metadata.Name));
        }

        return info;
    }
}
