using System.Text.Json.Nodes;
using KubeMesh.ApiServer.Rest.Patch;

namespace KubeMesh.ApiServer.Tests.Rest;

/// <summary>JSON patch (RFC 6902) and JSON merge patch (RFC 7386), as kubectl rollout undo, label and scale send them.</summary>
public sealed class JsonPatchTests
{
    [Theory]
    [InlineData("""[{"op":"add","path":"/b","value":2}]""", """{"a":{"x":[1,2]},"b":2}""")]
    [InlineData("""[{"op":"add","path":"/a/x/-","value":3}]""", """{"a":{"x":[1,2,3]}}""")]
    [InlineData("""[{"op":"add","path":"/a/x/0","value":0}]""", """{"a":{"x":[0,1,2]}}""")]
    [InlineData("""[{"op":"remove","path":"/a/x/1"}]""", """{"a":{"x":[1]}}""")]
    [InlineData("""[{"op":"replace","path":"/a","value":"z"}]""", """{"a":"z"}""")]
    [InlineData("""[{"op":"move","from":"/a/x","path":"/y"}]""", """{"a":{},"y":[1,2]}""")]
    [InlineData("""[{"op":"copy","from":"/a/x","path":"/y"}]""", """{"a":{"x":[1,2]},"y":[1,2]}""")]
    [InlineData("""[{"op":"test","path":"/a/x/1","value":2},{"op":"add","path":"/t","value":true}]""", """{"a":{"x":[1,2]},"t":true}""")]
    [InlineData("""[{"op":"add","path":"/a/k~1v~0w","value":1}]""", """{"a":{"x":[1,2],"k/v~w":1}}""")]
    public void Apply_Operation_ChangesTheDocumentAsRfc6902Says(string patch, string expected)
    {
        var result = JsonPatch.Apply(JsonNode.Parse("""{"a":{"x":[1,2]}}""")!, JsonNode.Parse(patch)!);

        Assert.Equal(expected, result.ToJsonString());
    }

    [Theory]
    [InlineData("""[{"op":"test","path":"/a/x/0","value":5},{"op":"add","path":"/b","value":1}]""")]
    [InlineData("""[{"op":"remove","path":"/missing"}]""")]
    [InlineData("""[{"op":"replace","path":"/missing","value":1}]""")]
    [InlineData("""[{"op":"add","path":"/a/x/7","value":1}]""")]
    [InlineData("""[{"op":"bogus","path":"/a"}]""")]
    [InlineData("""[{"op":"add","path":"a","value":1}]""")]
    [InlineData("""{"op":"add"}""")]
    public void Apply_OperationThatCannotApply_FailsAndChangesNothing(string patch)
    {
        var document = JsonNode.Parse("""{"a":{"x":[1,2]}}""")!;

        Assert.Throws<PatchException>(() => JsonPatch.Apply(document, JsonNode.Parse(patch)!));
        Assert.Equal("""{"a":{"x":[1,2]}}""", document.ToJsonString());
    }

    [Fact]
    public void Apply_MoreOperationsThanAllowed_IsRefused()
    {
        var operations = new JsonArray(Enumerable.Range(0, JsonPatch.MaxOperations + 1)
            .Select(_ => (JsonNode)new JsonObject { ["op"] = "add", ["path"] = "/a", ["value"] = 1 }).ToArray());

        Assert.Throws<PatchException>(() => JsonPatch.Apply(new JsonObject(), operations));
    }

    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void MergePatch_Rfc7386Examples_GiveTheRfcsResults(string target, string patch, string expected)
    {
        Assert.Equal(expected, JsonMergePatch.Apply(JsonNode.Parse(target), JsonNode.Parse(patch))!.ToJsonString());
    }
}
