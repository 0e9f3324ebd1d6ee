using System.Net;
using System.Text.Json.Nodes;

namespace KubeMesh.ApiServer.Tests.Rest;

/// <summary>
/// Lists in chunks over REST, as kubectl asks for them (limit=500 and continue by default): metadata.continue and
/// remainingItemCount on lists and Tables, tokens read at the first chunk's revision, and the refusals kube-apiserver
/// gives for a bad or expired token.
/// </summary>
public sealed class ListChunkingTests(RestApiFixture fixture) : IClassFixture<RestApiFixture>, IAsyncLifetime
{
    private readonly string _ns = "c-" + Guid.NewGuid().ToString("N")[..10];

    private HttpClient Http => fixture.Http;

    public async Task InitializeAsync()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/api/v1/namespaces", $"{{\"metadata\":{{\"name\":\"{_ns}\"}}}}")).StatusCode);
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            Assert.Equal(HttpStatusCode.Created, (await PostAsync($"/api/v1/namespaces/{_ns}/configmaps", $"{{\"metadata\":{{\"name\":\"{name}\"}},\"data\":{{\"k\":\"v\"}}}}")).StatusCode);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task List_WithLimit_AnswersContinueAndRemainingItemCount_AndTheTokenReadsOnAtTheSameRevision()
    {
        var first = await GetJsonAsync($"/api/v1/namespaces/{_ns}/configmaps?limit=2");
        var token = first["metadata"]!["continue"]!.GetValue<string>();
        await PostAsync($"/api/v1/namespaces/{_ns}/configmaps", """{"metadata":{"name":"bb"}}""");
        var second = await GetJsonAsync($"/api/v1/namespaces/{_ns}/configmaps?limit=2&continue={Uri.EscapeDataString(token)}");
        var third = await GetJsonAsync($"/api/v1/namespaces/{_ns}/configmaps?limit=2&continue={Uri.EscapeDataString(second["metadata"]!["continue"]!.GetValue<string>())}");

        Assert.Equal(["a", "b"], Names(first));
        Assert.Equal(3, first["metadata"]!["remainingItemCount"]!.GetValue<long>());
        Assert.Equal(["c", "d"], Names(second));
        Assert.Equal(["e"], Names(third));
        Assert.Null(third["metadata"]!["continue"]);
        Assert.Equal(first["metadata"]!["resourceVersion"]!.GetValue<string>(), third["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Table_WithLimit_CarriesContinue()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{_ns}/configmaps?limit=3");
        request.Headers.TryAddWithoutValidation("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
        using var response = await Http.SendAsync(request);
        var table = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal("Table", table["kind"]!.GetValue<string>());
        Assert.Equal(3, table["rows"]!.AsArray().Count);
        Assert.False(string.IsNullOrEmpty(table["metadata"]!["continue"]?.GetValue<string>()));
    }

    [Fact]
    public async Task Kubectl_GetInChunks_PrintsEveryObjectOnce()
    {
        var result = await fixture.Kubectl.RunAsync(["-n", _ns, "get", "configmaps", "--chunk-size=2", "-v=6"]);

        Assert.True(result.ExitCode == 0, result.Output);
        var names = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(' ')[0]);
        Assert.Equal(["a", "b", "c", "d", "e"], names);
        Assert.Single(result.StandardOutput.Split('\n'), l => l.StartsWith("NAME", StringComparison.Ordinal));
        // Three requests: limit=2, then two with the continue token.
        Assert.Equal(2, result.StandardError.Split('\n').Count(l => l.Contains("&continue=", StringComparison.Ordinal) || l.Contains("?continue=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task List_ContinueOutOfHistory_Is410ExpiredSayingToStartANewList()
    {
        var first = await GetJsonAsync($"/api/v1/namespaces/{_ns}/configmaps?limit=1");
        for (var i = 0; i < RestApiFixture.HistoryLimit + 5; i++)
        {
            await PostAsync($"/api/v1/namespaces/{_ns}/configmaps", $"{{\"metadata\":{{\"name\":\"h{i}\"}}}}");
        }

        using var response = await Http.GetAsync($"/api/v1/namespaces/{_ns}/configmaps?limit=1&continue={Uri.EscapeDataString(first["metadata"]!["continue"]!.GetValue<string>())}");
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.Equal("Expired", status["reason"]!.GetValue<string>());
        Assert.StartsWith("The provided continue parameter is too old", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_ExactResourceVersion_AnswersThatRevision_Or410OnceOutOfHistory()
    {
        var then = (await GetJsonAsync($"/api/v1/namespaces/{_ns}/configmaps"))["metadata"]!["resourceVersion"]!.GetValue<string>();
        await PostAsync($"/api/v1/namespaces/{_ns}/configmaps", "{\"metadata\":{\"name\":\"later\"}}");

        var exact = await GetJsonAsync($"/api/v1/namespaces/{_ns}/configmaps?resourceVersion={then}&resourceVersionMatch=Exact");
        for (var i = 0; i < RestApiFixture.HistoryLimit + 5; i++)
        {
            await PostAsync($"/api/v1/namespaces/{_ns}/configmaps", $"{{\"metadata\":{{\"name\":\"x{i}\"}}}}");
        }

        using var expired = await Http.GetAsync($"/api/v1/namespaces/{_ns}/configmaps?resourceVersion={then}&resourceVersionMatch=Exact");
        var status = JsonNode.Parse(await expired.Content.ReadAsStringAsync())!;

        Assert.Equal(["a", "b", "c", "d", "e"], Names(exact));
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Equal("Expired", status["reason"]!.GetValue<string>());
        Assert.StartsWith($"too old resource version: {then} (", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_ResourceVersionMatchWithoutVersion_Is422InvalidListOptions()
    {
        using var response = await Http.GetAsync($"/api/v1/namespaces/{_ns}/configmaps?resourceVersionMatch=Exact");
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(("Invalid", "ListOptions", "resourceVersionMatch"),
            (status["reason"]!.GetValue<string>(), status["details"]!["kind"]!.GetValue<string>(), status["details"]!["causes"]![0]!["field"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("limit=x", "limit: Invalid value: \"x\": must be an integer")]
    [InlineData("limit=-3", "limit: Invalid value: -3: must be greater than or equal to 0")]
    [InlineData("continue=%25%25", "invalid continue token")]
    [InlineData("continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NSwic3RhcnQiOiJhIn0&resourceVersion=5", "specifying resource version is not allowed when using continue")]
    public async Task List_BadChunkParameters_Are400NamingTheParameter(string query, string message)
    {
        using var response = await Http.GetAsync($"/api/v1/namespaces/{_ns}/configmaps?{query}");
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(("Status", "BadRequest"), (status["kind"]!.GetValue<string>(), status["reason"]!.GetValue<string>()));
        Assert.Contains(message, status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static IEnumerable<string> Names(JsonNode list) => list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>());

    private Task<JsonNode> GetJsonAsync(string path) => fixture.GetJsonAsync(path);

    private Task<HttpResponseMessage> PostAsync(string path, string json) => fixture.PostAsync(path, json);
}
