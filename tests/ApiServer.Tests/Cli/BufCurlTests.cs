using System.Text.Json.Nodes;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;
using YamlDotNet.Serialization;

namespace KubeMesh.ApiServer.Tests.Cli;

/// <summary>The api-server as users reach it: `buf curl` over cleartext HTTP/2, finding methods by server reflection.</summary>
public sealed class BufCurlTests(ApiServerFixture fixture) : ApiTestBase(fixture), IClassFixture<ApiServerFixture>
{
    [SkippableFact]
    public async Task ListServices_ByReflection_IncludesPodService()
    {
        var (exitCode, output) = await BufCli.RunAsync(["curl", "--protocol", "grpc", "--http2-prior-knowledge", "--list-services", Api.Address]);

        Assert.True(exitCode == 0, output);
        Assert.Contains("kubemesh.core.v1.PodService", output.Split('\n').Select(l => l.Trim()));
        Assert.Contains("kubemesh.apiserver.v1.ManifestService", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CreateGetWatch_Manifest01AsJson_RoundTripsAndStreamsAdded()
    {
        var list = await Api.Pods.ListAsync(new ListRequest { Namespace = Ns }, deadline: Deadline);
        await using var watch = BufCli.Start(Curl("Watch", $$"""{"namespace":"{{Ns}}","resourceVersion":"{{list.Metadata.ResourceVersion}}"}"""));

        var (createCode, createOutput) = await BufCli.RunAsync(Curl("Create", "@-"), stdin: Manifest01AsJson(Ns));
        Assert.True(createCode == 0, createOutput);
        var created = JsonNode.Parse(createOutput)!;
        var uid = (string?)created["metadata"]?["uid"];
        var resourceVersion = (string?)created["metadata"]?["resourceVersion"];
        Assert.False(string.IsNullOrEmpty(uid), createOutput);
        Assert.False(string.IsNullOrEmpty(resourceVersion), createOutput);

        var (getCode, getOutput) = await BufCli.RunAsync(Curl("Get", $$"""{"namespace":"{{Ns}}","name":"nginx"}"""));
        Assert.True(getCode == 0, getOutput);
        var fetched = JsonNode.Parse(getOutput)!;
        Assert.Equal(uid, (string?)fetched["metadata"]?["uid"]);
        Assert.Equal(resourceVersion, (string?)fetched["metadata"]?["resourceVersion"]);
        Assert.Equal("nginx", (string?)fetched["metadata"]?["labels"]?["run"]);
        Assert.Equal(80, (int?)fetched["spec"]?["containers"]?[0]?["ports"]?[0]?["containerPort"]);

        await watch.WaitForOutputAsync(
            streamed => streamed.Contains("\"ADDED\"", StringComparison.Ordinal) && streamed.Contains(uid!, StringComparison.Ordinal),
            TimeSpan.FromSeconds(15),
            "the watch streams the ADDED event of the created pod");
    }

    private string[] Curl(string method, string data) =>
        ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "-d", data, $"{Api.Address}/kubemesh.core.v1.PodService/{method}"];

    /// <summary>The acceptance manifest as JSON, the way a user turns YAML into a request body.</summary>
    private static string Manifest01AsJson(string ns)
    {
        var yaml = TestManifests.Read("seed", "01-pod-nginx.yaml");
        var document = new DeserializerBuilder().Build().Deserialize<object>(yaml);
        var json = JsonNode.Parse(new SerializerBuilder().JsonCompatible().Build().Serialize(document))!;
        json["metadata"]!["namespace"] = ns;
        return json.ToJsonString();
    }
}
