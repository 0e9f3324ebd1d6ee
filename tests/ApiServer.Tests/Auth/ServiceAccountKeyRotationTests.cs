using System.Security.Cryptography;
using Grpc.Core;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Authentication.ServiceAccounts;

namespace KubeMesh.ApiServer.Tests.Auth;

/// <summary>
/// Rotating the service-account signing key as kube-apiserver does it: the new key signs, the old one stays listed in
/// Authentication:ServiceAccountKeyFiles (--service-account-key-file) so the tokens it signed keep working, and once it
/// is taken off the list they stop.
/// </summary>
public sealed class ServiceAccountKeyRotationTests : IAsyncLifetime
{
    private const string Admin = "rotation-admin-token";
    private const string Issuer = "https://kubernetes.default.svc.cluster.local";
    private readonly RedisServer _store = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("kubemesh-sa-rotation-").FullName;
    private readonly string _prefix = $"/test-{Guid.NewGuid():N}";

    private string OldKey => Path.Combine(_dir, "old.key");

    private string NewKey => Path.Combine(_dir, "new.key");

    private string OldPublic => Path.Combine(_dir, "old.pub");

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "tokens.csv"), $"{Admin},kubernetes-admin,1,\"system:masters\"\n");
        using (var old = ServiceAccountSigningKey.Open(OldKey))
        {
            await File.WriteAllTextAsync(OldPublic, old.Key.ExportSubjectPublicKeyInfoPem());
        }

        await _store.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task TokensOfTheOldKey_WorkWhileItIsListed_AndStopWhenItIsNot()
    {
        string oldToken;
        await using (var before = await StartAsync(OldKey))
        {
            var accounts = new ServiceAccountService.ServiceAccountServiceClient(before.Channel);
            await accounts.CreateAsync(new ServiceAccount { Metadata = new ObjectMeta { Namespace = "default", Name = "robot" } });
            oldToken = (await accounts.CreateTokenAsync(new TokenRequest { Metadata = new ObjectMeta { Namespace = "default", Name = "robot" } })).Status.Token;
            Assert.Equal("system:serviceaccount:default:robot", await WhoAmIAsync(before, oldToken));
        }

        // The new key signs; the old one's public half is still trusted.
        await using (var rotating = await StartAsync(NewKey, OldPublic))
        {
            Assert.Equal("system:serviceaccount:default:robot", await WhoAmIAsync(rotating, oldToken));
            var newToken = (await new ServiceAccountService.ServiceAccountServiceClient(rotating.Channel)
                .CreateTokenAsync(new TokenRequest { Metadata = new ObjectMeta { Namespace = "default", Name = "robot" } })).Status.Token;
            Assert.NotEqual(Kid(oldToken), Kid(newToken));
            Assert.Equal("system:serviceaccount:default:robot", await WhoAmIAsync(rotating, newToken));
        }

        // Rotation done: the old key is off the list, and its tokens no longer authenticate.
        await using var after = await StartAsync(NewKey);
        var refused = await Assert.ThrowsAsync<RpcException>(() => WhoAmIAsync(after, oldToken));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task AKeyFileThatIsNoKey_IsRefusedAtStartNamingTheSetting()
    {
        var bad = Path.Combine(_dir, "bad.pub");
        await File.WriteAllTextAsync(bad, "not a key\n");
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await (await StartAsync(NewKey, bad)).DisposeAsync());
        Assert.Contains($"Authentication:ServiceAccountKeyFiles: {bad}: not a PEM public or private key", error.ToString(), StringComparison.Ordinal);

        using var rsa = RSA.Create(2048);
        await File.WriteAllTextAsync(bad, rsa.ExportSubjectPublicKeyInfoPem());
        error = await Assert.ThrowsAnyAsync<Exception>(async () => await (await StartAsync(NewKey, bad)).DisposeAsync());
        Assert.Contains($"Authentication:ServiceAccountKeyFiles: {bad}: not an EC P-256 key", error.ToString(), StringComparison.Ordinal);
    }

    private Task<ApiServerHost> StartAsync(string signingKey, params string[] keyFiles)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Store:KeyPrefix"] = _prefix,
            ["Authentication:TokenAuthFile"] = Path.Combine(_dir, "tokens.csv"),
            ["Authentication:ServiceAccountSigningKeyFile"] = signingKey,
            ["Authentication:ServiceAccountIssuer"] = Issuer,
            ["Authorization:Mode"] = "Node,RBAC",
        };
        for (var i = 0; i < keyFiles.Length; i++)
        {
            settings[$"Authentication:ServiceAccountKeyFiles:{i}"] = keyFiles[i];
        }

        return ApiServerHost.StartAsync(_store.ConnectionString, settings, bearerToken: Admin);
    }

    private static async Task<string> WhoAmIAsync(ApiServerHost api, string token)
    {
        using var channel = ApiServerHost.ChannelFor(api.Address, token);
        // The token authenticator reads accounts from caches loaded at start: a fresh replica may not have them yet.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                return (await new AuthService.AuthServiceClient(channel).WhoAmIAsync(new WhoAmIRequest())).Username;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated && e.Status.Detail.Contains("not loaded yet", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static string Kid(string token) =>
        System.Text.Json.Nodes.JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[0]))!["kid"]!.GetValue<string>();
}
