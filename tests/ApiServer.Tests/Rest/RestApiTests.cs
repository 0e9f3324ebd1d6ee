using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace KubeMesh.ApiServer.Tests.Rest;

/// <summary>The REST API over HTTP on an in-process api-server: discovery, reads, writes, patches, watches and bad input.</summary>
public sealed class RestApiTests(RestApiFixture fixture) : IClassFixture<RestApiFixture>, IAsyncLifetime
{
    private const string AggregatedV2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    private readonly string _ns = "r-" + Guid.NewGuid().ToString("N")[..10];

    private HttpClient Http => fixture.Http;

    public async Task InitializeAsync() =>
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/api/v1/namespaces", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":""" + $"\"{_ns}\"" + "}}")).StatusCode);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Version_IsKubernetes132()
    {
        var version = await GetJsonAsync("/version");

        Assert.Equal(("1", "32"), (version["major"]!.GetValue<string>(), version["minor"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Discovery_AskedForAggregatedV2_AnswersItWithTheExactContentType()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/apis");
        request.Headers.TryAddWithoutValidation("Accept", AggregatedV2 + ",application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json");
        using var response = await Http.SendAsync(request);

        var contentType = response.Content.Headers.ContentType!;
        Assert.Equal("application/json", contentType.MediaType);
        Assert.Equal(["as=APIGroupDiscoveryList", "g=apidiscovery.k8s.io", "v=v2"], contentType.Parameters.Select(p => $"{p.Name}={p.Value}").Order(StringComparer.Ordinal));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var apps = body["items"]!.AsArray().Single(g => g!["metadata"]!["name"]!.GetValue<string>() == "apps")!;
        var deployments = apps["versions"]![0]!["resources"]!.AsArray().Single(r => r!["resource"]!.GetValue<string>() == "deployments")!;
        Assert.Equal("""["deploy"]""", deployments["shortNames"]!.ToJsonString());
        Assert.Equal("""["all"]""", deployments["categories"]!.ToJsonString());
        Assert.Contains(deployments["subresources"]!.AsArray(), s => s!["subresource"]!.GetValue<string>() == "scale" && s["responseKind"]!["kind"]!.GetValue<string>() == "Scale");
    }

    [Fact]
    public async Task Discovery_Legacy_ListsGroupsAndResourcesWithSubresources()
    {
        var groups = await GetJsonAsync("/apis");
        var core = await GetJsonAsync("/api/v1");
        var apps = await GetJsonAsync("/apis/apps/v1");

        Assert.Equal("APIGroupList", groups["kind"]!.GetValue<string>());
        Assert.DoesNotContain(groups["groups"]!.AsArray(), g => g!["name"]!.GetValue<string>() == "");
        var names = core["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("pods/log", names);
        Assert.Contains("pods/exec", names);
        Assert.Contains("pods/status", names);
        var scale = apps["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "deployments/scale")!;
        Assert.Equal(("autoscaling", "v1", "Scale"), (scale["group"]!.GetValue<string>(), scale["version"]!.GetValue<string>(), scale["kind"]!.GetValue<string>()));
    }

    [Fact]
    public async Task OpenApi_EveryGroupVersion_HasAPatchPerKindTakingFieldValidation()
    {
        var index = await GetJsonAsync("/openapi/v3");

        foreach (var (path, entry) in index["paths"]!.AsObject())
        {
            var document = await GetJsonAsync(entry!["serverRelativeURL"]!.GetValue<string>());
            var patches = document["paths"]!.AsObject().Select(p => p.Value!["patch"]).Where(p => p is not null).ToList();
            Assert.True(patches.Count > 0, path);
            Assert.All(patches, p => Assert.Contains(p!["parameters"]!.AsArray(), q => q!["name"]!.GetValue<string>() == "fieldValidation"));
        }
    }

    [Fact]
    public async Task Create_Twice_IsCreatedThenAlreadyExistsAsAStatus()
    {
        var body = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"b"}}""";

        using var created = await PostAsync($"/api/v1/namespaces/{_ns}/configmaps", body);
        using var again = await PostAsync($"/api/v1/namespaces/{_ns}/configmaps", body);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(_ns, JsonNode.Parse(await created.Content.ReadAsStringAsync())!["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var status = JsonNode.Parse(await again.Content.ReadAsStringAsync())!;
        Assert.Equal(("AlreadyExists", "configmaps \"c\" already exists"), (status["reason"]!.GetValue<string>(), status["message"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Get_AsTable_GivesColumnsAndOneRowPerObject()
    {
        await PostAsync($"/api/v1/namespaces/{_ns}/configmaps", """{"metadata":{"name":"t"},"data":{"a":"b","c":"d"}}""");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{_ns}/configmaps");
        request.Headers.TryAddWithoutValidation("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");

        var table = JsonNode.Parse(await (await Http.SendAsync(request)).Content.ReadAsStringAsync())!;

        Assert.Equal("Table", table["kind"]!.GetValue<string>());
        Assert.Equal("""["t","2"]""", new JsonArray(table["rows"]![0]!["cells"]!.AsArray().Take(2).Select(c => c!.DeepClone()).ToArray()).ToJsonString());
    }

    [Fact]
    public async Task Patch_EachType_ChangesTheObjectThroughTheRegistry()
    {
        var path = $"/apis/apps/v1/namespaces/{_ns}/deployments";
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(path, Deployment("d", 2))).StatusCode);

        await PatchAsync($"{path}/d", "application/strategic-merge-patch+json",
            """{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"c"}],"containers":[{"name":"c","$setElementOrder/env":[{"name":"B"}],"env":[{"name":"B","value":"2"},{"$patch":"delete","name":"A"}]}]}}}}""");
        await PatchAsync($"{path}/d", "application/merge-patch+json", """{"metadata":{"labels":{"tier":"web"}}}""");
        var patched = await PatchAsync($"{path}/d", "application/json-patch+json", """[{"op":"replace","path":"/spec/replicas","value":4}]""");

        Assert.Equal("""[{"name":"B","value":"2"}]""", patched["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.ToJsonString());
        Assert.Equal("web", patched["metadata"]!["labels"]!["tier"]!.GetValue<string>());
        Assert.Equal(4, patched["spec"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task Patch_InvalidResult_IsA422WithTheFieldAndChangesNothing()
    {
        var path = $"/apis/apps/v1/namespaces/{_ns}/deployments";
        await PostAsync(path, Deployment("bad", 2));

        using var response = await SendPatchAsync($"{path}/bad", "application/merge-patch+json", """{"spec":{"replicas":-1}}""");

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        var cause = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["details"]!["causes"]![0]!;
        Assert.Equal("spec.replicas", cause["field"]!.GetValue<string>());
        Assert.Equal(2, (await GetJsonAsync($"{path}/bad"))["spec"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task Scale_PutWithoutContentType_SetsReplicas()
    {
        var path = $"/apis/apps/v1/namespaces/{_ns}/deployments";
        await PostAsync(path, Deployment("s", 1));
        var scale = await GetJsonAsync($"{path}/s/scale");
        Assert.Equal(("Scale", 1, "app=d"), (scale["kind"]!.GetValue<string>(), scale["spec"]!["replicas"]!.GetValue<int>(), scale["status"]!["selector"]!.GetValue<string>()));

        scale["spec"]!["replicas"] = 5;
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(scale.ToJsonString()));
        using var response = await Http.PutAsync($"{path}/s/scale", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(5, (await GetJsonAsync($"{path}/s"))["spec"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task Delete_WithPropagationPolicyInTheBody_RemovesTheObject()
    {
        await PostAsync($"/api/v1/namespaces/{_ns}/configmaps", """{"metadata":{"name":"gone"}}""");
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/namespaces/{_ns}/configmaps/gone")
        {
            Content = new StringContent("""{"propagationPolicy":"Background"}""", Encoding.UTF8, "application/json"),
        };

        var status = JsonNode.Parse(await (await Http.SendAsync(request)).Content.ReadAsStringAsync())!;

        Assert.Equal("Success", status["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/namespaces/{_ns}/configmaps/gone")).StatusCode);
    }

    [Fact]
    public async Task Create_KubernetesProtobufBody_IsReadAsKubectlsTypedClientsSendIt()
    {
        using var content = new ByteArrayContent(KubernetesProtobufConfigMap("proto", ("greeting", "hello")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.kubernetes.protobuf");

        using var response = await Http.PostAsync($"/api/v1/namespaces/{_ns}/configmaps", content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("hello", (await GetJsonAsync($"/api/v1/namespaces/{_ns}/configmaps/proto"))["data"]!["greeting"]!.GetValue<string>());
    }

    [Fact]
    public async Task Binding_AsASchedulerSendsIt_SetsTheNodeOnceThenConflicts()
    {
        await PostAsync($"/api/v1/namespaces/{_ns}/pods", """{"metadata":{"name":"b"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}""");
        const string binding = """{"apiVersion":"v1","kind":"Binding","metadata":{"name":"b"},"target":{"apiVersion":"v1","kind":"Node","name":"node-7"}}""";

        using var bound = await PostAsync($"/api/v1/namespaces/{_ns}/pods/b/binding", binding);
        using var again = await PostAsync($"/api/v1/namespaces/{_ns}/pods/b/binding", binding);

        Assert.Equal(HttpStatusCode.Created, bound.StatusCode);
        Assert.Equal("node-7", (await GetJsonAsync($"/api/v1/namespaces/{_ns}/pods/b"))["spec"]!["nodeName"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Watch_FromNow_StreamsAnAddedEventPerLine()
    {
        var list = await GetJsonAsync($"/api/v1/namespaces/{_ns}/configmaps");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await Http.GetAsync(
            $"/api/v1/namespaces/{_ns}/configmaps?watch=true&resourceVersion={list["metadata"]!["resourceVersion"]}", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));

        await PostAsync($"/api/v1/namespaces/{_ns}/configmaps", """{"metadata":{"name":"w"}}""");
        var line = JsonNode.Parse((await reader.ReadLineAsync(cts.Token))!)!;

        Assert.Equal(("ADDED", "w"), (line["type"]!.GetValue<string>(), line["object"]!["metadata"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Watch_FromARevisionOutOfHistory_EndsWithAnExpiredErrorEvent()
    {
        for (var i = 0; i < RestApiFixture.HistoryLimit + 5; i++)
        {
            await PostAsync($"/api/v1/namespaces/{_ns}/configmaps", """{"metadata":{"name":"h""" + i + "\"}}");
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await Http.GetAsync($"/api/v1/namespaces/{_ns}/configmaps?watch=1&resourceVersion=1", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        var line = JsonNode.Parse((await new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token)).ReadLineAsync(cts.Token))!)!;

        Assert.Equal(("ERROR", 410, "Expired"), (line["type"]!.GetValue<string>(), line["object"]!["code"]!.GetValue<int>(), line["object"]!["reason"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("application/json", "{\"metadata\":", HttpStatusCode.BadRequest)]
    [InlineData("application/json", "[1,2]", HttpStatusCode.BadRequest)]
    [InlineData("text/plain", "{}", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("application/vnd.kubernetes.protobuf", "not protobuf", HttpStatusCode.BadRequest)]
    public async Task Create_BadBody_IsAClientErrorStatus(string contentType, string body, HttpStatusCode expected)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        using var response = await Http.PostAsync($"/api/v1/namespaces/{_ns}/configmaps", content);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("Status", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_DeeplyNestedJson_IsRefusedWith400AndTheServerKeepsServing()
    {
        var nested = new string('[', 10_000) + new string(']', 10_000);

        using var response = await PostAsync($"/api/v1/namespaces/{_ns}/configmaps", """{"metadata":{"name":"deep"},"data":{"a":""" + nested + "}}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("1", (await GetJsonAsync("/version"))["major"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_YamlBody_IsReadAsJsonIs()
    {
        using var content = new StringContent("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  port: \"80\"\n", Encoding.UTF8);
        content.Headers.ContentType = new("application/yaml");

        using var response = await Http.PostAsync($"/api/v1/namespaces/{_ns}/configmaps", content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("80", (await GetJsonAsync($"/api/v1/namespaces/{_ns}/configmaps/from-yaml"))["data"]!["port"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/api/v1/namespaces/default/widgets")]
    [InlineData("/apis/apps/v2/namespaces/default/deployments")]
    [InlineData("/nothing")]
    [InlineData("/api/v1/nodes/x/exec")]
    public async Task Get_UnknownPath_Is404AsAStatus(string path)
    {
        using var response = await Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NotFound", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["reason"]!.GetValue<string>());
    }

    private static string Deployment(string name, int replicas) =>
        """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":""" + $"\"{name}\"" + """},"spec":{"replicas":""" + replicas
        + ""","selector":{"matchLabels":{"app":"d"}},"template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"nginx","env":[{"name":"A","value":"1"},{"name":"B","value":"1"}]}]}}}}""";

    /// <summary>A ConfigMap as client-go's protobuf serializer writes it: "k8s\0", then runtime.Unknown around the object.</summary>
    private static byte[] KubernetesProtobufConfigMap(string name, (string Key, string Value) entry)
    {
        static byte[] Message(Action<Google.Protobuf.CodedOutputStream> write)
        {
            using var stream = new MemoryStream();
            var output = new Google.Protobuf.CodedOutputStream(stream);
            write(output);
            output.Flush();
            return stream.ToArray();
        }

        var time = Message(_ => { });
        var meta = Message(o =>
        {
            o.WriteTag(1, Google.Protobuf.WireFormat.WireType.LengthDelimited); o.WriteString(name);
            o.WriteTag(2, Google.Protobuf.WireFormat.WireType.LengthDelimited); o.WriteString("");
            o.WriteTag(7, Google.Protobuf.WireFormat.WireType.Varint); o.WriteInt64(0);
            o.WriteTag(8, Google.Protobuf.WireFormat.WireType.LengthDelimited); o.WriteBytes(Google.Protobuf.ByteString.CopyFrom(time));
        });
        var mapEntry = Message(o =>
        {
            o.WriteTag(1, Google.Protobuf.WireFormat.WireType.LengthDelimited); o.WriteString(entry.Key);
            o.WriteTag(2, Google.Protobuf.WireFormat.WireType.LengthDelimited); o.WriteString(entry.Value);
        });
        var configMap = Message(o =>
        {
            o.WriteTag(1, Google.Protobuf.WireFormat.WireType.LengthDelimited); o.WriteBytes(Google.Protobuf.ByteString.CopyFrom(meta));
            o.WriteTag(2, Google.Protobuf.WireFormat.WireType.LengthDelimited); o.WriteBytes(Google.Protobuf.ByteString.CopyFrom(mapEntry));
        });
        var typeMeta = Message(o =>
        {
            o.WriteTag(1, Google.Protobuf.WireFormat.WireType.LengthDelimited); o.WriteString("v1");
            o.WriteTag(2, Google.Protobuf.WireFormat.WireType.LengthDelimited); o.WriteString("ConfigMap");
        });
        var unknown = Message(o =>
        {
            o.WriteTag(1, Google.Protobuf.WireFormat.WireType.LengthDelimited); o.WriteBytes(Google.Protobuf.ByteString.CopyFrom(typeMeta));
            o.WriteTag(2, Google.Protobuf.WireFormat.WireType.LengthDelimited); o.WriteBytes(Google.Protobuf.ByteString.CopyFrom(configMap));
        });
        return [.. "k8s\0"u8.ToArray(), .. unknown];
    }

    private Task<JsonNode> GetJsonAsync(string path) => fixture.GetJsonAsync(path);

    private Task<HttpResponseMessage> PostAsync(string path, string json) => fixture.PostAsync(path, json);

    private async Task<JsonNode> PatchAsync(string path, string contentType, string patch)
    {
        using var response = await SendPatchAsync(path, contentType, patch);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PATCH {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private Task<HttpResponseMessage> SendPatchAsync(string path, string contentType, string patch)
    {
        var content = new StringContent(patch, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return Http.PatchAsync(path, content);
    }
}
