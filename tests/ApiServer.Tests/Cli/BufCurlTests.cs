using System.Text;
using System.Text.Json.Nodes;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;
using YamlDotNet.Serialization;

namespace KubeMesh.ApiServer.Tests.Cli;

/// <summary>The api-server as users reach it: `buf curl` over cleartext HTTP/2, finding methods by server reflection.</summary>
public sealed class BufCurlTests(RedisFixture fixture) : ApiTestBase(fixture), IClassFixture<RedisFixture>
{
    private readonly string _buf = BufCli.Find() ?? "buf";

    [BufFact]
    public async Task ListServices_ByReflection_IncludesPodService()
    {
        var (exitCode, output) = await BufCli.RunAsync(_buf, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "--list-services", Api.Address]);

        Assert.True(exitCode == 0, output);
        Assert.Contains("kubemesh.core.v1.PodService", output.Split('\n').Select(l => l.Trim()));
        Assert.Contains("kubemesh.apiserver.v1.ManifestService", output, StringComparison.Ordinal);
    }

    [BufFact]
    public async Task CreateGetWatch_Manifest01AsJson_RoundTripsAndStreamsAdded()
    {
        var list = await Api.Pods.ListAsync(new ListRequest { Namespace = Ns }, deadline: Deadline);
        var watchOutput = new StringBuilder();
        using var watch = BufCli.Start(
            _buf,
            Curl("Watch", $$"""{"namespace":"{{Ns}}","resourceVersion":"{{list.Metadata.ResourceVersion}}"}"""),
            stdin: null,
            line => { lock (watchOutput) { watchOutput.AppendLine(line); } });
        try
        {
            var (createCode, createOutput) = await BufCli.RunAsync(_buf, Curl("Create", "@-"), stdin: Manifest01AsJson(Ns));
            Assert.True(createCode == 0, createOutput);
            var created = JsonNode.Parse(createOutput)!;
            var uid = (string?)created["metadata"]?["uid"];
            var resourceVersion = (string?)created["metadata"]?["resourceVersion"];
            Assert.False(string.IsNullOrEmpty(uid), createOutput);
            Assert.False(string.IsNullOrEmpty(resourceVersion), createOutput);

            var (getCode, getOutput) = await BufCli.RunAsync(_buf, Curl("Get", $$"""{"namespace":"{{Ns}}","name":"nginx"}"""));
            Assert.True(getCode == 0, getOutput);
            var fetched = JsonNode.Parse(getOutput)!;
            Assert.Equal(uid, (string?)fetched["metadata"]?["uid"]);
            Assert.Equal(resourceVersion, (string?)fetched["metadata"]?["resourceVersion"]);
            Assert.Equal("nginx", (string?)fetched["metadata"]?["labels"]?["run"]);
            Assert.Equal(80, (int?)fetched["spec"]?["containers"]?[0]?["ports"]?[0]?["containerPort"]);

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            string streamed;
            do
            {
                await Task.Delay(50);
                lock (watchOutput)
                {
                    streamed = watchOutput.ToString();
                }
            }
            while (!(streamed.Contains("\"ADDED\"", StringComparison.Ordinal) && streamed.Contains(uid!, StringComparison.Ordinal)) && DateTime.UtcNow < deadline);

            Assert.True(streamed.Contains("\"ADDED\"", StringComparison.Ordinal) && streamed.Contains(uid!, StringComparison.Ordinal), $"the watch printed:\n{streamed}");
        }
        finally
        {
            watch.Kill(entireProcessTree: true);
            await watch.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        }
    }

    private string[] Curl(string method, string data) =>
        ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "-d", data, $"{Api.Address}/kubemesh.core.v1.PodService/{method}"];

    /// <summary>The acceptance manifest as JSON, the way a user turns YAML into a request body.</summary>
    private static string Manifest01AsJson(string ns)
    {
        var yaml = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Manifests", "01-pod-nginx.yaml"));
        var document = new DeserializerBuilder().Build().Deserialize<object>(yaml);
        var json = JsonNode.Parse(new SerializerBuilder().JsonCompatible().Build().Serialize(document))!;
        json["metadata"]!["namespace"] = ns;
        return json.ToJsonString();
    }
}
