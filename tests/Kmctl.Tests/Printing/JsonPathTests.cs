using System.Text.Json.Nodes;
using KubeMesh.Kmctl.Cli;
using KubeMesh.Kmctl.Printing;

namespace KubeMesh.Kmctl.Tests.Printing;

/// <summary>kubectl's -o jsonpath and -o custom-columns, with the examples of kubectl's JSONPath reference.</summary>
public sealed class JsonPathTests
{
    private static readonly JsonNode List = JsonNode.Parse("""
        {"apiVersion":"v1","kind":"List","items":[
          {"kind":"Pod","metadata":{"name":"web-1","labels":{"app":"web","tier":"front"},"annotations":{"deployment.kubernetes.io/revision":"3"}},
           "spec":{"containers":[{"name":"nginx","image":"nginx:1.14.2"},{"name":"log","image":"busybox"}],"nodeName":"node-1"},
           "status":{"phase":"Running","podIP":"127.10.1.3","containerStatuses":[{"name":"nginx","restartCount":2},{"name":"log","restartCount":0}]}},
          {"kind":"Pod","metadata":{"name":"db-0","labels":{"app":"db"}},
           "spec":{"containers":[{"name":"mysql","image":"mysql:8"}]},
           "status":{"phase":"Pending"}}
        ],"metadata":{"resourceVersion":""}}
        """)!;

    [Theory]
    [InlineData("{.kind}", "List")]
    [InlineData("{.items[0].metadata.name}", "web-1")]
    [InlineData("{.items[*].metadata.name}", "web-1 db-0")]
    [InlineData("{.items[-1:].metadata.name}", "db-0")]
    [InlineData("{.items[0:1].metadata.name}", "web-1")]
    [InlineData("{.items[0,1].status.phase}", "Running Pending")]
    [InlineData("{..image}", "nginx:1.14.2 busybox mysql:8")]
    [InlineData("{.items[0].spec.containers[*]['name','image']}", "nginx nginx:1.14.2 log busybox")]
    [InlineData("{.items[?(@.status.phase=='Running')].metadata.name}", "web-1")]
    [InlineData("{.items[?(@.status.phase!=\"Running\")].metadata.name}", "db-0")]
    [InlineData("{.items[0].status.containerStatuses[?(@.restartCount>1)].name}", "nginx")]
    [InlineData("{.items[?(@.spec.nodeName)].metadata.name}", "web-1")]
    [InlineData("{.items[0].metadata.annotations.deployment\\.kubernetes\\.io/revision}", "3")]
    [InlineData("{.items[0].metadata.labels}", """{"app":"web","tier":"front"}""")]
    [InlineData("{.items[0].status.containerStatuses[0].restartCount}", "2")]
    [InlineData("{.items[1].status.podIP}", "")]
    [InlineData("{.items[5].metadata.name}", "")]
    [InlineData("name={.items[0].metadata.name}{\"\\n\"}", "name=web-1\n")]
    [InlineData("{range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}", "web-1\tRunning\ndb-0\tPending\n")]
    [InlineData("{range .items[*]}[{range .spec.containers[*]}{.name},{end}]{end}", "[nginx,log,][mysql,]")]
    [InlineData("{$.items[0].metadata.labels.app}", "web")]
    public void Execute_KubectlTemplates_PrintAsKubectl(string template, string expected) =>
        Assert.Equal(expected, JsonPath.Parse(template).Execute(List));

    [Theory]
    [InlineData("{.items[0", "unclosed action")]
    [InlineData("{range .items[*]}{.metadata.name}", "has no {end}")]
    [InlineData("{end}", "nothing to end")]
    [InlineData("{.items[a]}", "invalid array index a")]
    [InlineData("{.items[?(@.x==Running)]}", "quote a string")]
    [InlineData("{.metadata name}", "unexpected space")]
    public void Parse_Malformed_IsRefusedNamingTheTemplate(string template, string why)
    {
        var error = Assert.Throws<CommandException>(() => JsonPath.Parse(template));
        Assert.StartsWith($"error: error parsing jsonpath {template}, ", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NestingDeeperThanTheLimit_IsRefused_AndTheLimitItselfWorks()
    {
        static string Ranges(int n) => string.Concat(Enumerable.Repeat("{range .items[*]}", n)) + "x" + string.Concat(Enumerable.Repeat("{end}", n));
        static string Filters(int n) => "{.items" + string.Concat(Enumerable.Repeat("[?(@.a", n)) + string.Concat(Enumerable.Repeat(")]", n)) + "}";

        Assert.Equal("", JsonPath.Parse(Ranges(64)).Execute(List));
        JsonPath.Parse(Filters(64));
        Assert.Contains("ranges nested deeper than 64", Assert.Throws<CommandException>(() => JsonPath.Parse(Ranges(100_000))).Message, StringComparison.Ordinal);
        Assert.Contains("filters nested deeper than 64", Assert.Throws<CommandException>(() => JsonPath.Parse(Filters(100_000))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CustomColumns_PrintsATableWithNoneForMissingAndCommasForMany()
    {
        var format = OutputFormat.Parse("custom-columns=NAME:.metadata.name,IMAGES:.spec.containers[*].image,IP:status.podIP");
        var pods = List["items"]!.AsArray().Select(p => p!);

        Assert.Equal(
            "NAME    IMAGES                 IP\n" +
            "web-1   nginx:1.14.2,busybox   127.10.1.3\n" +
            "db-0    mysql:8                <none>\n",
            format.RenderColumns(pods, noHeaders: false));
        Assert.Equal("web-1   nginx:1.14.2,busybox   127.10.1.3\ndb-0    mysql:8                <none>\n", format.RenderColumns(pods, noHeaders: true));
    }

    [Theory]
    [InlineData("jsonpath", "error: template format specified but no template given")]
    [InlineData("jsonpath=", "error: template format specified but no template given")]
    [InlineData("custom-columns", "error: custom-columns format specified but no custom columns given")]
    [InlineData("custom-columns=NAME", "error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>")]
    [InlineData("go-template={{.kind}}", "error: unable to match a printer suitable for the output format \"go-template={{.kind}}\", allowed formats are: custom-columns,json,jsonpath,name,wide,yaml")]
    public void Parse_BadOutputFlag_SaysWhatKubectlSays(string value, string message) =>
        Assert.Equal(message, Assert.Throws<CommandException>(() => OutputFormat.Parse(value)).Message);
}
