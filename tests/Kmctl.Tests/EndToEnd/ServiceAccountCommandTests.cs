using System.Buffers.Text;
using System.Text.Json.Nodes;

namespace KubeMesh.Kmctl.Tests.EndToEnd;

/// <summary>kmctl create/get serviceaccount and create token against an api-server process that signs service-account tokens.</summary>
public sealed class ServiceAccountCommandTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly string _keyFile = Path.Combine(Path.GetTempPath(), $"kubemesh-sa-{Guid.NewGuid():N}.key");
    private ApiServerProcess? _apiServer;

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        _apiServer = new ApiServerProcess(_redis.ConnectionString, settings: new Dictionary<string, string?> { ["Authentication:ServiceAccountSigningKeyFile"] = _keyFile });
        await _apiServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _apiServer?.Dispose();
        await _redis.DisposeAsync();
        File.Delete(_keyFile);
    }

    [SkippableFact]
    public async Task CreateToken_ForNewServiceAccount_PrintsASignedTokenOfThatAccount()
    {
        Assert.Equal((0, "serviceaccount/builder created\n", ""), await Kmctl("create", "serviceaccount", "builder"));
        var get = await Kmctl("get", "sa", "builder");
        Assert.Matches(@"^NAME      SECRETS   AGE\nbuilder   0         \d+s\n$", get.Out);

        var describe = await Kmctl("describe", "serviceaccount", "builder");
        Assert.Equal(0, describe.ExitCode);
        Assert.Matches(@"Name:\s+builder", describe.Out);
        Assert.Matches(@"Namespace:\s+default", describe.Out);

        var token = await Kmctl("create", "token", "builder", "--audience", "vault", "--duration", "20m");
        Assert.Equal(0, token.ExitCode);
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(token.Out.Trim().Split('.')[1]))!;
        Assert.Equal("system:serviceaccount:default:builder", (string?)claims["sub"]);
        Assert.Equal("vault", (string?)claims["aud"]![0]);
        Assert.Equal(1200, (long)claims["exp"]! - (long)claims["iat"]!);

        var tooShort = await Kmctl("create", "token", "builder", "--duration", "5m");
        Assert.Equal(1, tooShort.ExitCode);
        Assert.Contains("spec.expirationSeconds", tooShort.Err);
        var missing = await Kmctl("create", "token", "nobody");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not found", missing.Err);
    }

    private Task<(int ExitCode, string Out, string Err)> Kmctl(params string[] args) => KmctlProcess.RunAsync(_apiServer!.Address, null, args);
}
