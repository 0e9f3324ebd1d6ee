using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Tests.Cli;
using KubeMesh.ApiServer.Tests.Infrastructure;
using KubeMesh.ApiServer.Tests.Validation;

namespace KubeMesh.ApiServer.Tests.Limits;

/// <summary>
/// Input that once killed or stalled the api-server, sent over real gRPC to an api-server over a real redis-server:
/// each is refused with a status naming the problem, within the call's deadline, nothing is stored, and the server
/// answers the next call. A regression that overflows the stack takes the test process down with it.
/// </summary>
[Trait("Category", "Validation")]
public sealed class HostileInputTests(ApiServerFixture fixture) : ApiTestBase(fixture), IClassFixture<ApiServerFixture>
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    [Theory]
    [InlineData("alias-cycle.yaml", "yaml: line 6, column 6: anchor \"x\" value contains itself")]
    [InlineData("nested-brackets.yaml", "exceeded max depth of 100 for flow collections")]
    [InlineData("billion-laughs.yaml", "document contains excessive aliasing")]
    public async Task Apply_ManifestThatKilledTheServer_IsInvalidArgumentAndTheServerLivesOn(string file, string message)
    {
        await AssertRefusedAsync(TestManifests.Read("hostile", file), StatusCode.InvalidArgument, message);
    }

    [SkippableFact]
    public async Task Apply_Json100000Deep_IsInvalidArgumentNamingTheDepth()
    {
        var json = """{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "deep"}, "data": """
            + new string('[', 100_000) + new string(']', 100_000) + "}";

        await AssertRefusedAsync(json, StatusCode.InvalidArgument, "json: exceeded max depth of 10000");
    }

    [SkippableFact]
    public async Task Apply_YamlBlocks100000Deep_IsInvalidArgumentNamingTheDepth()
    {
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  " + string.Concat(Enumerable.Repeat("- ", 100_000)) + "x\n";

        await AssertRefusedAsync(yaml, StatusCode.InvalidArgument, "exceeded max depth of 10000");
    }

    [SkippableFact]
    public async Task Apply_YamlFlow100000Deep_IsInvalidArgumentNamingTheDepth()
    {
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: " + new string('[', 100_000) + "\n";

        await AssertRefusedAsync(yaml, StatusCode.InvalidArgument, "exceeded max depth of 100 for flow collections");
    }

    [SkippableFact]
    public async Task Apply_TenMegabyteManifest_IsRefusedAsTooLargeBeforeItIsRead()
    {
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  big: " + new string('x', 10 * 1024 * 1024) + "\n";

        await AssertRefusedAsync(yaml, StatusCode.ResourceExhausted, "exceeds the maximum configured message size");
    }

    [SkippableFact]
    public async Task Apply_TwentyThousandBadLabels_ReportsTheFirstOnesAndHowManyWereLeftOut()
    {
        // Every label is a field error; all of them would not fit in the trailer that carries the status.
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: many\n  labels:\n"
            + string.Concat(Enumerable.Range(0, 20_000).Select(i => $"    \"bad key {i}!\": x\n"));

        var failure = await FailureOfAsync(() => Api.Manifests.ApplyAsync(new ApplyRequest { Manifest = yaml, Namespace = Ns }, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        Assert.Contains("Invalid value: \"bad key 0!\"", failure.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("left out", failure.Status.Detail, StringComparison.Ordinal);
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(failure.Status.Detail), 1, KubeMesh.Api.ApiLimits.MaxStatusDetailBytes);
        await AssertStillServingAsync();
    }

    [SkippableFact]
    public async Task Apply_TenMegabytesFromBufCurl_IsResourceExhaustedAlthoughItDeclaresItsLength()
    {
        // buf curl sends a Content-Length, which Kestrel's own body limit used to fail as UNKNOWN before gRPC looked.
        var manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  big: " + new string('x', 10 * 1024 * 1024) + "\n";
        var body = System.Text.Json.JsonSerializer.Serialize(new { manifest, @namespace = Ns });
        string[] curl = ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "-d", "@-", $"{Api.Address}/{ManifestService.Descriptor.FullName}/Apply"];

        var (_, output) = await BufCli.RunAsync(curl, stdin: body, timeout: TimeSpan.FromMinutes(2));

        Assert.Contains("\"code\": \"resource_exhausted\"", output, StringComparison.Ordinal);
        Assert.Contains("exceeds the maximum configured message size", output, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [SkippableFact]
    public async Task Apply_GzipThatInflatesPastTheLimit_IsRefusedAsTooLarge()
    {
        // A 64 MiB manifest of NULs is ~640 KiB on the wire: under the message limit until it is inflated.
        var request = new ApplyRequest { Manifest = new string('\0', 64 * 1024 * 1024) }.ToByteArray();
        var gzip = new Metadata { { "grpc-internal-encoding-request", "gzip" } };

        var failure = await FailureOfAsync(() => CallAsync(ManifestService.Descriptor.FullName, "Apply", request, gzip));

        Assert.Equal(StatusCode.ResourceExhausted, failure.StatusCode);
        Assert.Contains("exceeds the maximum configured message size", failure.Status.Detail, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [SkippableFact]
    public async Task Create_ValueNestedDeeperThanProtobufAllows_IsInvalidArgument()
    {
        var surge = Value.ForNumber(1);
        for (var i = 0; i < 200; i++)
        {
            surge = Value.ForList(surge);
        }

        var deployment = NewDeployment();
        deployment.Spec.Strategy = new DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new RollingUpdateDeployment { MaxSurge = surge } };

        var failure = await FailureOfAsync(() => CallAsync(ResourceKinds.Deployment.Service.FullName, "Create", deployment.ToByteArray()));

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        Assert.Contains("is not a valid kubemesh.apps.v1.Deployment", failure.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("nested more than 100 levels deep", failure.Status.Detail, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [SkippableFact]
    public async Task Create_TruncatedMessage_IsInvalidArgument()
    {
        var bytes = NewConfigMap(Ns, "cut").ToByteArray();

        var failure = await FailureOfAsync(() => CallAsync(ResourceKinds.ConfigMap.Service.FullName, "Create", bytes[..^3]));

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        Assert.Contains("is not a valid kubemesh.core.v1.ConfigMap", failure.Status.Detail, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Theory]
    [InlineData("list")]
    [InlineData("object")]
    [InlineData("fraction")]
    public async Task Create_IntOrStringHoldingAnythingElse_IsInvalidNamingTheField(string shape)
    {
        var deployment = NewDeployment();
        deployment.Spec.Strategy = new DeploymentStrategy
        {
            Type = "RollingUpdate",
            RollingUpdate = new RollingUpdateDeployment
            {
                MaxSurge = shape switch
                {
                    "list" => Value.ForList(Value.ForNumber(1)),
                    "object" => Value.ForStruct(new Struct { Fields = { ["a"] = Value.ForNumber(1) } }),
                    _ => Value.ForNumber(1.5),
                },
            },
        };

        var failure = await FailureOfAsync(() => CallAsync(ResourceKinds.Deployment.Service.FullName, "Create", deployment.ToByteArray()));

        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        Assert.Contains("spec.strategy.rollingUpdate.maxSurge", failure.Status.Detail, StringComparison.Ordinal);
    }

    private Deployment NewDeployment() => new()
    {
        Metadata = new ObjectMeta { Namespace = Ns, Name = "web" },
        Spec = new DeploymentSpec
        {
            Replicas = 1,
            Selector = new LabelSelector { MatchLabels = { ["app"] = "web" } },
            Template = new PodTemplateSpec
            {
                Metadata = new ObjectMeta { Labels = { ["app"] = "web" } },
                Spec = new PodSpec { Containers = { new Container { Name = "web", Image = "nginx" } } },
            },
        },
    };

    /// <summary>Applies <paramref name="manifest"/>, expects it refused, then checks nothing was stored and the server still serves.</summary>
    private async Task AssertRefusedAsync(string manifest, StatusCode code, string message)
    {
        var failure = await FailureOfAsync(() => Api.Manifests.ApplyAsync(new ApplyRequest { Manifest = manifest, Namespace = Ns }, deadline: Deadline).ResponseAsync);

        Assert.Equal(code, failure.StatusCode);
        Assert.Contains(message, failure.Status.Detail, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    private async Task AssertStillServingAsync()
    {
        Assert.Empty((await Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns }, deadline: Deadline)).Items);
        var created = await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "after"), deadline: Deadline);
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        await Api.ConfigMaps.DeleteAsync(new DeleteRequest { Namespace = Ns, Name = "after" }, deadline: Deadline);
    }

    /// <summary>A unary call with the request's bytes exactly as given, as a client of any language may send them.</summary>
    private Task<byte[]> CallAsync(string service, string method, byte[] request, Metadata? headers = null) =>
        Api.Channel.CreateCallInvoker().AsyncUnaryCall(
            new Method<byte[], byte[]>(MethodType.Unary, service, method, Bytes, Bytes),
            null,
            new CallOptions(headers, Deadline),
            request).ResponseAsync;
}
