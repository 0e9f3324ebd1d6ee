using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using KubeMesh.ApiServer.Tests.Rest;

namespace KubeMesh.ApiServer.Tests.Limits;

/// <summary>
/// What a hostile or broken client can send to the REST port, over real HTTP to an api-server over a real
/// redis-server: each body is refused with a metav1.Status naming the problem (413 past the size limit, 400 for
/// what cannot be read), nothing is stored, and the server answers the next request.
/// </summary>
[Trait("Category", "Validation")]
public sealed class RestHostileInputTests(RestApiFixture fixture) : IClassFixture<RestApiFixture>, IAsyncLifetime
{
    private readonly string _ns = "h-" + Guid.NewGuid().ToString("N")[..10];

    private HttpClient Http => fixture.Http;

    private string ConfigMaps => $"/api/v1/namespaces/{_ns}/configmaps";

    public async Task InitializeAsync()
    {
        using var created = await SendAsync(HttpMethod.Post, "/api/v1/namespaces", "application/json", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":""" + $"\"{_ns}\"" + "}}");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(3 * 1024 * 1024, true)]
    [InlineData(3 * 1024 * 1024, false)]
    [InlineData(10 * 1024 * 1024, true)]
    [InlineData(10 * 1024 * 1024, false)]
    public async Task Create_BodyOverTheLimit_Is413StatusAndTheServerLivesOn(int padding, bool contentLength)
    {
        var body = Encoding.UTF8.GetBytes("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":""" + $"\"{new string('x', padding)}\"" + "}}");
        using HttpContent content = contentLength ? new ByteArrayContent(body) : new StreamContent(new UnknownLengthStream(body));
        content.Headers.ContentType = new("application/json");

        using var response = await Http.PostAsync(ConfigMaps, content);

        await AssertStatusAsync(response, HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLarge", $"limit is {KubeMesh.Api.ApiLimits.MaxRequestBytes}");
        await AssertNothingStoredAndStillServingAsync("big");
    }

    [Fact]
    public async Task Create_AnnouncingAHundredGibibytes_Is413AtOnceWithoutReadingIt()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, fixture.Rest.Port);
        var stream = tcp.GetStream();
        var head = $"POST {ConfigMaps} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {100L << 30}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head + "{\"metadata\":{\"name\":\"huge\"},\"data\":{\"a\":\"" + new string('x', 64 * 1024)));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var answer = await ReadAnswerAsync(stream, timeout.Token);

        Assert.StartsWith("HTTP/1.1 413 ", answer, StringComparison.Ordinal);
        var body = answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        var status = JsonNode.Parse(body[body.IndexOf('{', StringComparison.Ordinal)..(body.LastIndexOf('}') + 1)])!; // within its chunk framing
        Assert.Equal(("Status", "RequestEntityTooLarge", 413), (status["kind"]!.GetValue<string>(), status["reason"]!.GetValue<string>(), status["code"]!.GetValue<int>()));
        await AssertNothingStoredAndStillServingAsync("huge");
    }

    [Theory]
    [InlineData("application/json", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad"},"data":{"a":"b",}""", "the request body is not valid JSON")]
    [InlineData("application/json", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad"}""", "the request body is not valid JSON")]
    [InlineData("application/json", "\u00ff\u00fe not json", "the request body is not valid JSON")]
    [InlineData("application/yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata: {a: [b\n", "yaml: line")]
    [InlineData("application/yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad2\n", "must be one YAML document, not 2")]
    public async Task Create_MalformedBody_Is400NamingTheProblem(string contentType, string body, string message)
    {
        using var response = await SendAsync(HttpMethod.Post, ConfigMaps, contentType, body);

        await AssertStatusAsync(response, HttpStatusCode.BadRequest, "BadRequest", message);
        await AssertNothingStoredAndStillServingAsync("bad");
    }

    [Theory]
    [InlineData("alias-cycle.yaml", "bomb", "anchor \"x\" value contains itself")]
    [InlineData("billion-laughs.yaml", "laughs", "document contains excessive aliasing")]
    [InlineData("nested-brackets.yaml", "deep", "exceeded max depth of 100 for flow collections")]
    public async Task Create_YamlThatKilledTheServer_Is400AndTheServerLivesOn(string file, string name, string message)
    {
        using var response = await SendAsync(HttpMethod.Post, ConfigMaps, "application/yaml", TestManifests.Read("hostile", file));

        await AssertStatusAsync(response, HttpStatusCode.BadRequest, "BadRequest", message);
        await AssertNothingStoredAndStillServingAsync(name);
    }

    [Fact]
    public async Task Create_Json100000Deep_Is400NamingTheDepth()
    {
        var json = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":""" + new string('[', 100_000) + new string(']', 100_000) + "}";

        using var response = await SendAsync(HttpMethod.Post, ConfigMaps, "application/json", json);

        await AssertStatusAsync(response, HttpStatusCode.BadRequest, "BadRequest", "maximum configured depth of 100 has been exceeded");
        await AssertNothingStoredAndStillServingAsync("deep");
    }

    [Theory]
    [InlineData(200)]
    [InlineData(100_000)]
    public async Task Create_YamlBlocksTooDeep_Is400NamingTheDepth(int depth)
    {
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  " + string.Concat(Enumerable.Repeat("- ", depth)) + "x\n";

        using var response = await SendAsync(HttpMethod.Post, ConfigMaps, "application/yaml", yaml);

        await AssertStatusAsync(response, HttpStatusCode.BadRequest, "BadRequest", depth > KubeMesh.Api.ApiLimits.MaxNestingDepth ? "exceeded max depth of 10000" : "more than the 100 allowed");
        await AssertNothingStoredAndStillServingAsync("deep");
    }

    [Fact]
    public async Task Patch_StrategicMergePatch100000Deep_Is400AndChangesNothing()
    {
        using (var created = await SendAsync(HttpMethod.Post, ConfigMaps, "application/json", """{"metadata":{"name":"target"},"data":{"a":"1"}}"""))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var patch = """{"data":""" + string.Concat(Enumerable.Repeat("""{"a":""", 100_000)) + "1" + new string('}', 100_000) + "}";
        using var response = await SendAsync(HttpMethod.Patch, $"{ConfigMaps}/target", "application/strategic-merge-patch+json", patch);

        await AssertStatusAsync(response, HttpStatusCode.BadRequest, "BadRequest", "maximum configured depth of 100 has been exceeded");
        var target = JsonNode.Parse(await Http.GetStringAsync($"{ConfigMaps}/target"))!;
        Assert.Equal("1", target["data"]!["a"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(new byte[] { 0x0a, 0x02, 0x76, 0x31 }, "does not start with the Kubernetes magic number")]
    [InlineData(new byte[] { 0x6b, 0x38, 0x73, 0x00, 0x0a, 0x7f, 0x0a }, "the protobuf body is malformed")]
    [InlineData(new byte[] { 0x6b, 0x38, 0x73, 0x00, 0x0a, 0x0f, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x09, 0x43, 0x6f, 0x6e, 0x66, 0x69, 0x67, 0x4d, 0x61, 0x70, 0x12, 0x05, 0x0a, 0xff, 0xff, 0xff, 0xff }, "the protobuf body is malformed")]
    public async Task Create_MalformedProtobuf_Is400NamingTheProblem(byte[] body, string message)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/vnd.kubernetes.protobuf");

        using var response = await Http.PostAsync(ConfigMaps, content);

        await AssertStatusAsync(response, HttpStatusCode.BadRequest, "BadRequest", message);
        await AssertNothingStoredAndStillServingAsync("bad");
    }

    private static async Task AssertStatusAsync(HttpResponseMessage response, HttpStatusCode code, string reason, string message)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(code == response.StatusCode, $"expected {(int)code}, got {(int)response.StatusCode}: {text}");
        var status = JsonNode.Parse(text)!;
        Assert.Equal(("Status", "Failure", reason, (int)code), (status["kind"]!.GetValue<string>(), status["status"]!.GetValue<string>(), status["reason"]!.GetValue<string>(), status["code"]!.GetValue<int>()));
        Assert.Contains(message, status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private async Task AssertNothingStoredAndStillServingAsync(string name)
    {
        using (var missing = await Http.GetAsync($"{ConfigMaps}/{name}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using (var created = await SendAsync(HttpMethod.Post, ConfigMaps, "application/json", """{"metadata":{"name":"after"},"data":{"a":"b"}}"""))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var deleted = await Http.DeleteAsync($"{ConfigMaps}/after");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string contentType, string body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new(contentType);
        return await Http.SendAsync(request);
    }

    /// <summary>
    /// Reads one chunked HTTP/1.1 answer to its last chunk. The server then closes the connection with most of the
    /// announced body unread, which TCP may turn into a reset: the answer must have arrived before it.
    /// </summary>
    private static async Task<string> ReadAnswerAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        using var answer = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while (!Encoding.ASCII.GetString(answer.ToArray()).EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal)
            && (read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            answer.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(answer.ToArray());
    }

    /// <summary>A body whose length HttpClient cannot know, so it is sent chunked, as a streaming client sends it.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
