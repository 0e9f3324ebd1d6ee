using System.Text.Json.Nodes;
using KubeMesh.Api.Serialization;

namespace KubeMesh.Api.Tests.Serialization;

/// <summary>
/// The limits every manifest is read within, in the api-server and in kmctl alike: Kubernetes' (3 MiB, depth
/// 10000, go-yaml's alias rules), each refused with a message naming the problem. A regression that recurses as
/// deep as the text nests takes the test process down with it.
/// </summary>
public sealed class ManifestDocumentsTests
{
    private const string Header = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\n";

    [Theory]
    [InlineData("alias-cycle.yaml", "yaml: line 6, column 6: anchor \"x\" value contains itself")]
    [InlineData("nested-brackets.yaml", "yaml: line 5, column 107: exceeded max depth of 100 for flow collections ([...] and {...})")]
    [InlineData("billion-laughs.yaml", "document contains excessive aliasing")]
    public void Read_ManifestThatKilledTheApiServer_IsRefusedNamingTheProblem(string file, string message)
    {
        Assert.Contains(message, Refused(TestManifests.Read("hostile", file)), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AliasToAnEarlierNode_IsACopyOfIt()
    {
        var doc = Single(Header + "  labels: &l {app: web, tier: front}\n  annotations: *l\n");

        Assert.Equal(doc["metadata"]!["labels"]!.ToJsonString(), doc["metadata"]!["annotations"]!.ToJsonString());
        Assert.NotSame(doc["metadata"]!["labels"], doc["metadata"]!["annotations"]);
    }

    [Fact]
    public void Read_AliasOfAScalarAsAKey_UsesItsText()
    {
        var doc = Single(Header + "data:\n  first: &k shared\n  *k : value\n");

        Assert.Equal("value", (string?)doc["data"]!["shared"]);
    }

    [Fact]
    public void Read_AliasOfAnAnchorNotYetDefined_IsUnknown()
    {
        Assert.Contains("unknown anchor \"later\" referenced", Refused(Header + "data: *later\nx: &later 1\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AliasToAnAnchorOfAnotherDocument_IsUnknown()
    {
        Assert.Contains("unknown anchor \"a\" referenced", Refused("a: &a 1\n---\nb: *a\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CycleThroughANestedMapping_IsRefused()
    {
        Assert.Contains("anchor \"top\" value contains itself", Refused("a: &top\n  b:\n    c: [1, *top]\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ModerateAliasing_IsExpanded()
    {
        // Three levels of ten: about a thousand nodes, well within go-yaml's ratio.
        var doc = Single(Laughs(levels: 3, fanout: 10));

        Assert.Equal(10, doc["l2"]!.AsArray().Count);
        Assert.Equal("lol", (string?)doc["l2"]![9]![9]![9]);
    }

    [Fact]
    public void Read_NineLevelsOfNineAliases_IsExcessiveAliasing()
    {
        Assert.Contains("document contains excessive aliasing", Refused(Laughs(levels: 9, fanout: 9)), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BlockNestingAtTheLimit_IsRead()
    {
        var doc = Single("a:\n" + string.Concat(Enumerable.Repeat("- ", ApiLimits.MaxNestingDepth - 1)) + "x\n");

        var node = doc["a"];
        for (var depth = 1; depth < ApiLimits.MaxNestingDepth; depth++)
        {
            node = node!.AsArray()[0];
        }

        Assert.Equal("x", (string?)node);
    }

    [Fact]
    public void Read_BlockNestingPastTheLimit_IsRefused()
    {
        var message = Refused("a:\n" + string.Concat(Enumerable.Repeat("- ", 100_000)) + "x\n");

        Assert.Equal("yaml: line 2, column 19999: exceeded max depth of 10000", message);
    }

    [Fact]
    public void Read_FlowNestingAtItsLimit_IsRead()
    {
        var depth = ApiLimits.MaxYamlFlowDepth;

        Single("a: " + new string('[', depth) + "1" + new string(']', depth) + "\n");
    }

    [Fact]
    public void Read_FlowNestingPastItsLimit_IsRefused()
    {
        var depth = ApiLimits.MaxYamlFlowDepth + 1;

        Assert.Contains("exceeded max depth of 100 for flow collections", Refused("a: " + new string('{', 1) + "b: " + new string('[', depth) + "\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_JsonNestingAtTheLimit_IsRead()
    {
        var depth = ApiLimits.MaxNestingDepth - 1;

        var doc = Single("{\"a\": " + new string('[', depth) + new string(']', depth) + "}");

        Assert.IsType<JsonArray>(doc["a"]);
    }

    [Theory]
    [InlineData(ApiLimits.MaxNestingDepth)]
    [InlineData(100_000)]
    public void Read_JsonNestingPastTheLimit_IsRefused(int depth)
    {
        var message = Refused("{\"a\": " + new string('[', depth) + new string(']', depth) + "}");

        Assert.Equal("json: exceeded max depth of 10000. LineNumber: 0 | BytePositionInLine: 10005.", message);
    }

    [Fact]
    public void Read_JsonDuplicateKey_IsRefused()
    {
        Assert.StartsWith("json: duplicate key \"a\"", Refused("{\"a\": 1,\n \"a\": 2}"), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_JsonNumbers_KeepTheirText()
    {
        var doc = Single("{\"a\": 1.50, \"b\": 1e5, \"c\": 12345678901234567890123, \"d\": -7}");

        Assert.Equal("""{"a":1.50,"b":1e5,"c":12345678901234567890123,"d":-7}""", doc.ToJsonString());
    }

    [Fact]
    public void Read_MoreThanARequestMayCarry_IsRefusedBeforeParsing()
    {
        var message = Refused(Header + "data:\n  big: " + new string('x', ApiLimits.MaxRequestBytes) + "\n");

        Assert.Equal($"manifest too large: {Header.Length + 14 + ApiLimits.MaxRequestBytes} bytes, more than the 3145728 bytes (3 MiB) a request may carry", message);
    }

    /// <summary>go-yaml tries int, then uint, then float (decimal), then takes the text as a string.</summary>
    [Theory]
    [InlineData("0400", "256")]
    [InlineData("0777777777777777777777777", "777777777777777777777777")]
    [InlineData("0o17", "15")]
    [InlineData("0o17777777777777777777777", "\"0o17777777777777777777777\"")]
    [InlineData("0xFFFFFFFFFFFFFFFF", "18446744073709551615")]
    [InlineData("0xFFFFFFFFFFFFFFFFFF", "\"0xFFFFFFFFFFFFFFFFFF\"")]
    public void Read_IntegerBeyond64Bits_FallsBackAsInGoYaml(string plain, string json)
    {
        Assert.Equal(json, Single("a: " + plain + "\n")["a"]!.ToJsonString());
    }

    private static string Laughs(int levels, int fanout)
    {
        var text = $"l0: &l0 [{string.Join(", ", Enumerable.Repeat("lol", fanout))}]\n";
        for (var level = 1; level < levels; level++)
        {
            text += $"l{level}: &l{level} [{string.Join(", ", Enumerable.Repeat($"*l{level - 1}", fanout))}]\n";
        }

        return text;
    }

    private static JsonObject Single(string text) => Assert.IsType<JsonObject>(Assert.Single(ManifestDocuments.Read(text)));

    private static string Refused(string text) => Assert.Single(Assert.Throws<ManifestException>(() => ManifestDocuments.Read(text)).Errors).Message;
}
