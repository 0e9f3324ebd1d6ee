using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Selectors;

namespace KubeMesh.Api.Tests.Selectors;

public sealed class FieldSelectorTests
{
    private static readonly Pod Scheduled = new()
    {
        Metadata = new ObjectMeta { Name = "web-1", Namespace = "default" },
        Spec = new PodSpec { NodeName = "node1", RestartPolicy = "Always" },
        Status = new PodStatus { Phase = "Running", PodIp = "10.0.0.5" },
    };

    [Theory]
    [InlineData("", true)]
    [InlineData("spec.nodeName=node1", true)]
    [InlineData("spec.nodeName==node1", true)]
    [InlineData("spec.nodeName=node2", false)]
    [InlineData("spec.nodeName!=node2", true)]
    [InlineData("spec.nodeName!=node1", false)]
    [InlineData("spec.nodeName=", false)]
    [InlineData("metadata.name=web-1,metadata.namespace=default", true)]
    [InlineData("metadata.name=web-1,status.phase!=Running", false)]
    [InlineData("status.podIP=10.0.0.5,spec.restartPolicy=Always", true)]
    [InlineData(" status.phase = Running ", true)]
    public void Matches_Pod_UsesObjectFields(string selector, bool expected) =>
        Assert.Equal(expected, FieldSelector.Parse(selector, ResourceKinds.Pod).Matches(ResourceKinds.Pod, Scheduled));

    [Fact]
    public void Matches_UnscheduledPod_EmptyNodeNameSelectsIt()
    {
        var pending = new Pod { Metadata = new ObjectMeta { Name = "p" } };
        Assert.True(FieldSelector.Parse("spec.nodeName=").Matches(ResourceKinds.Pod, pending));
        Assert.False(FieldSelector.Parse("spec.nodeName!=").Matches(ResourceKinds.Pod, pending));
    }

    [Theory]
    [InlineData("app", "can't understand \"app\"")]
    [InlineData("=x", "names no field")]
    [InlineData("a=b,c", "can't understand \"c\"")]
    [InlineData("a=b\\x", "invalid escape sequence")]
    public void Parse_InvalidSyntax_ThrowsFormatException(string selector, string problem)
    {
        var error = Assert.Throws<FormatException>(() => FieldSelector.Parse(selector));
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Parse_EscapedValue_RoundTrips()
    {
        var selector = FieldSelector.Parse(@"metadata.name=a\,b\=c\\d");
        Assert.Equal(@"a,b=c\d", selector.Requirements[0].Value);
        Assert.Equal(@"metadata.name=a\,b\=c\\d", selector.ToString());
    }

    [Theory]
    [InlineData("spec.nodeName=x", "pods", true)]
    [InlineData("spec.nodeName=x", "services", false)]
    [InlineData("spec.unschedulable=true", "nodes", true)]
    [InlineData("type=kubernetes.io/tls", "secrets", true)]
    [InlineData("involvedObject.name=web", "events", true)]
    [InlineData("metadata.name=x", "deployments", true)]
    [InlineData("spec.replicas=3", "deployments", false)]
    public void Parse_WithKind_RejectsUnsupportedFields(string selector, string plural, bool supported)
    {
        var kind = ResourceKinds.Find(plural)!;
        if (supported)
        {
            FieldSelector.Parse(selector, kind);
        }
        else
        {
            var error = Assert.Throws<FormatException>(() => FieldSelector.Parse(selector, kind));
            Assert.StartsWith("field label not supported: " + selector.Split('=')[0], error.Message);
        }
    }

    [Fact]
    public void TryGetExactMatch_EqualityTerm_ReturnsValue()
    {
        var selector = FieldSelector.Parse("status.phase!=Failed,spec.nodeName=node1");
        Assert.True(selector.TryGetExactMatch("spec.nodeName", out var node));
        Assert.Equal("node1", node);
        Assert.False(selector.TryGetExactMatch("status.phase", out _));
    }
}
