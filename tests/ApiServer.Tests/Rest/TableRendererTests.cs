using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;
using KubeMesh.ApiServer.Rest;
using KubeMesh.ApiServer.Tests.Validation;

namespace KubeMesh.ApiServer.Tests.Rest;

/// <summary>meta.k8s.io Tables from the shared table definitions, as kubectl reads them.</summary>
public sealed class TableRendererTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Render_Pods_GivesKubectlsColumnsWithWidePriorityAndRowMetadata()
    {
        var pod = new Pod
        {
            Metadata = new() { Name = "web", Namespace = "default", CreationTimestamp = Timestamp.FromDateTimeOffset(Now.AddMinutes(-5)), Labels = { ["run"] = "web" } },
            Spec = new() { NodeName = "node-1", Containers = { new Container { Name = "c" } } },
            Status = new() { Phase = "Running", PodIp = "127.10.1.5" },
        };

        var table = TableRenderer.Render(ResourceKinds.Pod, [pod], "42", "Metadata", Now);

        Assert.Equal("Table", table["kind"]!.GetValue<string>());
        Assert.Equal("42", table["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal(
            ["Name:0", "Ready:0", "Status:0", "Restarts:0", "Age:0", "IP:1", "Node:1", "Nominated Node:1", "Readiness Gates:1"],
            table["columnDefinitions"]!.AsArray().Select(c => $"{c!["name"]}:{c["priority"]}"));
        var row = table["rows"]![0]!;
        Assert.Equal(["web", "0/1", "Running", "0", "5m", "127.10.1.5", "node-1", "<none>", "<none>"], row["cells"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal("PartialObjectMetadata", row["object"]!["kind"]!.GetValue<string>());
        Assert.Equal("""{"run":"web"}""", row["object"]!["metadata"]!["labels"]!.ToJsonString());
    }

    [Fact]
    public void Render_IntegerColumns_CarryNumbers()
    {
        var rs = new ReplicaSet { Metadata = new() { Name = "rs" }, Spec = new() { Replicas = 3 }, Status = new() { Replicas = 2, ReadyReplicas = 1 } };

        var cells = TableRenderer.Render(ResourceKinds.ReplicaSet, [rs], "1", "None", Now)["rows"]![0]!["cells"]!;

        Assert.Equal("""["rs",3,2,1]""", new JsonArray(cells.AsArray().Take(4).Select(c => c!.DeepClone()).ToArray()).ToJsonString());
    }

    [Fact]
    public void Render_IncludeObjectNoneAndObject_LeaveOutOrEmbedTheObject()
    {
        var cm = new ConfigMap { Metadata = new() { Name = "cm" }, Data = { ["a"] = "b" } };

        Assert.Null(TableRenderer.Render(ResourceKinds.ConfigMap, [cm], "1", "None", Now)["rows"]![0]!["object"]);
        Assert.Equal("ConfigMap", TableRenderer.Render(ResourceKinds.ConfigMap, [cm], "1", "Object", Now)["rows"]![0]!["object"]!["kind"]!.GetValue<string>());
        Assert.Throws<RestException>(() => TableRenderer.IncludeObject("Everything"));
    }

    [Theory]
    [MemberData(nameof(TestManifests.Seed), MemberType = typeof(TestManifests))]
    public void Render_EverySeedObject_HasOneCellPerColumn(string file)
    {
        foreach (var item in ManifestDecoder.Decode(TestManifests.Read("seed", file)))
        {
            var table = TableRenderer.Render(item.Kind, [(IMessage)item.Object], "1", "Metadata", Now);

            Assert.Equal(table["columnDefinitions"]!.AsArray().Count, table["rows"]![0]!["cells"]!.AsArray().Count);
        }
    }
}
