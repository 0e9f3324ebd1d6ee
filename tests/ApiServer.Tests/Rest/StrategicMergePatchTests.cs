using System.Text.Json.Nodes;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.ApiServer.Rest.Patch;

namespace KubeMesh.ApiServer.Tests.Rest;

/// <summary>Strategic merge patch as kube-apiserver applies it, with the merge keys of the protos' patch options.</summary>
public sealed class StrategicMergePatchTests
{
    private static readonly PatchSchema DeploymentSchema = PatchSchema.For(Deployment.Descriptor);
    private static readonly PatchSchema PodSchema = PatchSchema.For(Pod.Descriptor);

    [Fact]
    public void Apply_KubectlApplyRemovingAnEnvEntry_LeavesOnlyTheEntriesOfTheFileInItsOrder()
    {
        var live = Json("""
            {"spec":{"replicas":2,"template":{"spec":{"containers":[
              {"name":"api","image":"nginx","env":[{"name":"A","value":"1"},{"name":"B","value":"1"}]},
              {"name":"sidecar","image":"busybox"}]}}}}
            """);
        // What kubectl 1.32 sent for the file edited from A=1,B=1 to B=2 (KUBECTL-REST.md).
        var patch = Json("""
            {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"api"}],"containers":[{"name":"api",
              "$setElementOrder/env":[{"name":"B"}],"env":[{"name":"B","value":"2"},{"$patch":"delete","name":"A"}]}]}}}}
            """);

        var result = StrategicMergePatch.Apply(live, patch, DeploymentSchema);

        Assert.Equal(
            """{"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"api","image":"nginx","env":[{"name":"B","value":"2"}]},{"name":"sidecar","image":"busybox"}]}}}}""",
            result.ToJsonString());
    }

    [Fact]
    public void Apply_ContainersByName_MergesTheNamedContainerAndKeepsTheOthers()
    {
        var live = Json("""{"spec":{"containers":[{"name":"a","image":"x:1","args":["1","2"]},{"name":"b","image":"y:1"}]}}""");
        var patch = Json("""{"spec":{"containers":[{"name":"b","image":"y:2","args":["3"]}]}}""");

        var result = StrategicMergePatch.Apply(live, patch, PodSchema);

        Assert.Equal("""{"spec":{"containers":[{"name":"a","image":"x:1","args":["1","2"]},{"name":"b","image":"y:2","args":["3"]}]}}""", result.ToJsonString());
    }

    [Fact]
    public void Apply_ListWithoutMergeStrategy_IsReplacedWhole()
    {
        var live = Json("""{"spec":{"containers":[{"name":"a","args":["1","2"],"envFrom":[{"configMapRef":{"name":"x"}}]}]}}""");
        var patch = Json("""{"spec":{"containers":[{"name":"a","args":["3"],"envFrom":[{"secretRef":{"name":"y"}}]}]}}""");

        var result = StrategicMergePatch.Apply(live, patch, PodSchema);

        Assert.Equal("""{"spec":{"containers":[{"name":"a","args":["3"],"envFrom":[{"secretRef":{"name":"y"}}]}]}}""", result.ToJsonString());
    }

    [Theory]
    [InlineData("ports", "containerPort", """[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]""", """[{"containerPort":443,"name":"https"}]""",
        """[{"containerPort":80,"protocol":"TCP"},{"containerPort":443,"name":"https"}]""")]
    [InlineData("volumeMounts", "mountPath", """[{"name":"a","mountPath":"/a"},{"name":"b","mountPath":"/b"}]""", """[{"name":"c","mountPath":"/b"}]""",
        """[{"name":"a","mountPath":"/a"},{"name":"c","mountPath":"/b"}]""")]
    public void Apply_ContainerLists_MergeByTheirKeys(string list, string key, string live, string patch, string expected)
    {
        _ = key;
        var result = StrategicMergePatch.Apply(
            Json(Container(list, live)),
            Json(Container(list, patch)),
            PodSchema);

        Assert.Equal(Container(list, expected), result.ToJsonString());
    }

    [Fact]
    public void Apply_ServicePortsByPort_MergesAndAddsPorts()
    {
        var live = Json("""{"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}}""");
        var patch = Json("""{"spec":{"ports":[{"port":80,"targetPort":9090},{"port":8443}]}}""");

        var result = StrategicMergePatch.Apply(live, patch, PatchSchema.For(Service.Descriptor));

        // Items new to the list come right after the patch's items before them, as kube orders a merged list.
        Assert.Equal("""{"spec":{"ports":[{"port":80,"targetPort":9090},{"port":8443},{"port":443}]}}""", result.ToJsonString());
    }

    [Fact]
    public void Apply_Null_DeletesTheField()
    {
        var live = Json("""{"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"replicas":3}}""");

        var result = StrategicMergePatch.Apply(live, Json("""{"metadata":{"labels":{"a":null}},"spec":{"replicas":null}}"""), DeploymentSchema);

        Assert.Equal("""{"metadata":{"labels":{"b":"2"}},"spec":{}}""", result.ToJsonString());
    }

    [Fact]
    public void Apply_PatchReplaceOnAMap_ReplacesItWhole()
    {
        // What kubectl rollout undo of a DaemonSet sends: the data of a ControllerRevision.
        var live = Json("""{"spec":{"template":{"metadata":{"labels":{"app":"x","extra":"y"}},"spec":{"containers":[{"name":"c","image":"new"},{"name":"d"}]}}}}""");
        var patch = Json("""{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"old"}]}}}}""");

        var result = StrategicMergePatch.Apply(live, patch, PatchSchema.For(DaemonSet.Descriptor));

        Assert.Equal("""{"spec":{"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"old"}]}}}}""", result.ToJsonString());
    }

    [Fact]
    public void Apply_PatchReplaceInAList_MakesThePatchItemsTheWholeList()
    {
        var live = Json("""{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""");

        var result = StrategicMergePatch.Apply(live, Json("""{"spec":{"containers":[{"name":"c"},{"$patch":"replace"}]}}"""), PodSchema);

        Assert.Equal("""{"spec":{"containers":[{"name":"c"}]}}""", result.ToJsonString());
    }

    [Fact]
    public void Apply_PatchDeleteOnAMap_RemovesIt()
    {
        var live = Json("""{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}},"replicas":1}}""");

        var result = StrategicMergePatch.Apply(live, Json("""{"spec":{"strategy":{"$patch":"delete"}}}"""), DeploymentSchema);

        Assert.Equal("""{"spec":{"strategy":{},"replicas":1}}""", result.ToJsonString());
    }

    [Fact]
    public void Apply_PatchMergeInAList_IsRefusedAsKubernetesDoes()
    {
        var live = Json("""{"spec":{"containers":[{"name":"a"}]}}""");

        var error = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(live, Json("""{"spec":{"containers":[{"$patch":"merge"}]}}"""), PodSchema));

        Assert.Contains("merging lists cannot yet be specified", error.Message);
    }

    [Fact]
    public void Apply_RetainKeys_ClearsTheUnionMembersNotListed()
    {
        var live = Json("""{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}""");

        var result = StrategicMergePatch.Apply(live, Json("""{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"""), DeploymentSchema);

        Assert.Equal("""{"spec":{"strategy":{"type":"Recreate"}}}""", result.ToJsonString());
    }

    [Fact]
    public void Apply_RetainKeysNotCoveringThePatch_IsRefused()
    {
        var live = Json("""{"spec":{"strategy":{"type":"RollingUpdate"}}}""");

        Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(live, Json("""{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{}}}}"""), DeploymentSchema));
    }

    [Fact]
    public void Apply_DeleteFromPrimitiveList_RemovesThoseValuesOnly()
    {
        var live = Json("""{"metadata":{"finalizers":["a","b","c"]}}""");

        var result = StrategicMergePatch.Apply(live, Json("""{"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}}"""), PodSchema);

        Assert.Equal("""{"metadata":{"finalizers":["a","c"]}}""", result.ToJsonString());
    }

    [Fact]
    public void Apply_MergeListOfScalars_IsASetUnion()
    {
        var live = Json("""{"metadata":{"finalizers":["a","b"]}}""");

        var result = StrategicMergePatch.Apply(live, Json("""{"metadata":{"finalizers":["c","a"]}}"""), PodSchema);

        Assert.Equal("""{"metadata":{"finalizers":["c","a","b"]}}""", result.ToJsonString());
    }

    [Fact]
    public void Apply_SetElementOrder_OrdersTheListAsGiven()
    {
        var live = Json("""{"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"1"}]}}""");
        var patch = Json("""{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"a","image":"2"}]}}""");

        var result = StrategicMergePatch.Apply(live, patch, PodSchema);

        Assert.Equal("""{"spec":{"containers":[{"name":"b","image":"1"},{"name":"a","image":"2"}]}}""", result.ToJsonString());
    }

    [Fact]
    public void Apply_SetElementOrderDisagreeingWithThePatch_IsRefused()
    {
        var live = Json("""{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""");
        var patch = Json("""{"spec":{"$setElementOrder/containers":[{"name":"a"}],"containers":[{"name":"b","image":"2"}]}}""");

        Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(live, patch, PodSchema));
    }

    [Fact]
    public void Apply_MergeListItemWithoutItsKey_IsRefusedNamingTheKey()
    {
        var live = Json("""{"spec":{"containers":[{"name":"a"}]}}""");

        var error = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(live, Json("""{"spec":{"containers":[{"image":"x"}]}}"""), PodSchema));

        Assert.Contains("merge key: name", error.Message);
    }

    [Fact]
    public void Apply_NewFieldWithDirectives_TakesItWithoutThem()
    {
        var live = Json("""{"spec":{}}""");

        var result = StrategicMergePatch.Apply(live, Json("""{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"},"template":{"spec":{"containers":[{"name":"a"},{"$patch":"delete","name":"b"}]}}}}"""), DeploymentSchema);

        Assert.Equal("""{"spec":{"strategy":{"type":"Recreate"},"template":{"spec":{"containers":[{"name":"a"}]}}}}""", result.ToJsonString());
    }

    [Fact]
    public void Apply_LeavesItsArgumentsUnchanged()
    {
        var live = Json("""{"metadata":{"labels":{"a":"1"}}}""");
        var patch = Json("""{"metadata":{"labels":{"a":null}}}""");

        StrategicMergePatch.Apply(live, patch, PodSchema);

        Assert.Equal(("""{"metadata":{"labels":{"a":"1"}}}""", """{"metadata":{"labels":{"a":null}}}"""), (live.ToJsonString(), patch.ToJsonString()));
    }

    private static JsonObject Json(string text) => (JsonObject)JsonNode.Parse(text)!;

    private static string Container(string list, string value) => """{"spec":{"containers":[{"name":"c",""" + $"\"{list}\":{value}" + "}]}}";
}
