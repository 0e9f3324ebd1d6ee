using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Selectors;

namespace KubeMesh.Api.Tests.Selectors;

public sealed class ObjectFieldsTests
{
    [Fact]
    public void Get_Event_ReadsInvolvedObjectAndSource()
    {
        var ev = new Event
        {
            Metadata = new ObjectMeta { Name = "web.17f", Namespace = "default" },
            InvolvedObject = new ObjectReference { Kind = "Pod", Namespace = "default", Name = "web", Uid = "u1" },
            Reason = "Scheduled",
            Type = "Normal",
            Source = new EventSource { Component = "default-scheduler" },
        };

        Assert.Equal("Pod", ObjectFields.Get(ResourceKinds.Event, ev, "involvedObject.kind"));
        Assert.Equal("web", ObjectFields.Get(ResourceKinds.Event, ev, "involvedObject.name"));
        Assert.Equal("u1", ObjectFields.Get(ResourceKinds.Event, ev, "involvedObject.uid"));
        Assert.Equal("Scheduled", ObjectFields.Get(ResourceKinds.Event, ev, "reason"));
        Assert.Equal("Normal", ObjectFields.Get(ResourceKinds.Event, ev, "type"));
        Assert.Equal("default-scheduler", ObjectFields.Get(ResourceKinds.Event, ev, "source"));
        Assert.Equal("web.17f", ObjectFields.Get(ResourceKinds.Event, ev, "metadata.name"));
    }

    [Fact]
    public void Get_NodeUnschedulable_IsLowercaseBoolean()
    {
        var node = new Node { Spec = new NodeSpec { Unschedulable = true } };
        Assert.Equal("true", ObjectFields.Get(ResourceKinds.Node, node, "spec.unschedulable"));
        Assert.Equal("false", ObjectFields.Get(ResourceKinds.Node, new Node(), "spec.unschedulable"));
    }

    [Fact]
    public void Get_MissingMetadata_IsEmptyAndDoesNotAttachMetadata()
    {
        var pod = new Pod();
        Assert.Equal("", ObjectFields.Get(ResourceKinds.Pod, pod, "metadata.name"));
        Assert.Null(pod.Metadata);
    }

    [Fact]
    public void Get_UnsupportedField_IsNull()
    {
        Assert.Null(ObjectFields.Get(ResourceKinds.Secret, new Secret(), "spec.nodeName"));
        Assert.False(ObjectFields.IsSupported(ResourceKinds.Secret, "spec.nodeName"));
        Assert.Equal("Opaque", ObjectFields.Get(ResourceKinds.Secret, new Secret { Type = "Opaque" }, "type"));
    }
}
