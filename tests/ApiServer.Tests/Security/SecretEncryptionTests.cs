using System.Text;
using Google.Protobuf;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Storage.Encryption;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.Tests.Security;

/// <summary>Secrets under an EncryptionConfiguration: ciphertext in the store, plaintext to clients, keys rotated on rewrite.</summary>
public sealed class SecretEncryptionTests : IAsyncLifetime
{
    private const string Plaintext = "hunter2-do-not-store-me";
    private readonly RedisServer _store = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("kubemesh-encryption-").FullName;
    private readonly string _prefix = "/enc-" + Guid.NewGuid().ToString("N");
    private ConnectionMultiplexer? _raw;

    public async Task InitializeAsync()
    {
        await _store.StartAsync();
        _raw = await ConnectionMultiplexer.ConnectAsync(_store.ConnectionString);
    }

    [Fact]
    public async Task Create_Secret_StoreHoldsOnlyCiphertextAndReadsReturnPlaintext()
    {
        await using var api = await StartAsync(Config(("key1", NewKey())));
        var secrets = api.Client.For<Secret>();

        await secrets.CreateAsync(NewSecret("db"));
        var read = await secrets.GetAsync("default", "db");
        var listed = await secrets.ListAsync(new ListRequest { Namespace = "default" });

        Assert.Equal(Plaintext, read.Data["password"].ToStringUtf8());
        Assert.Equal(Plaintext, listed.Items.Single(s => s.Metadata.Name == "db").Data["password"].ToStringUtf8());
        var stored = await RawAsync("db");
        Assert.StartsWith("k8s:enc:aesgcm:v1:key1:", Encoding.ASCII.GetString(stored[(Array.IndexOf(stored, (byte)'\n') + 1)..]), StringComparison.Ordinal);
        Assert.DoesNotContain(Plaintext, Encoding.Latin1.GetString(stored), StringComparison.Ordinal);
        foreach (var entry in await _raw!.GetDatabase().SortedSetRangeByRankAsync(_prefix + "/secrets/log"))
        {
            Assert.DoesNotContain(Plaintext, Encoding.Latin1.GetString((byte[])entry!), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Watch_SecretWrittenWhileWatching_ArrivesAsPlaintext()
    {
        await using var api = await StartAsync(Config(("key1", NewKey())));
        var secrets = api.Client.For<Secret>();
        await secrets.CreateAsync(NewSecret("before"));
        var list = await secrets.ListAsync(new ListRequest { Namespace = "default" });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // A watch from the list's revision. Once the kind's feed is in step with the log, a write's published entry is
        // what reaches the watcher, not a read of the log: both must hold plaintext.
        var watch = secrets.WatchAsync(new WatchRequest { Namespace = "default", ResourceVersion = list.ResourceVersion }, cts.Token).GetAsyncEnumerator(cts.Token);
        foreach (var name in new[] { "during-1", "during-2", "during-3" })
        {
            var next = watch.MoveNextAsync();
            await secrets.CreateAsync(NewSecret(name));
            Assert.True(await next);

            Assert.Equal((name, Plaintext), (watch.Current.Object.Metadata.Name, watch.Current.Object.Data["password"].ToStringUtf8()));
        }

        await watch.DisposeAsync();
    }

    [Fact]
    public async Task List_NextPageAfterAChange_ServesTheEarlierSecretFromTheLogAsPlaintext()
    {
        await using var api = await StartAsync(Config(("key1", NewKey())));
        var secrets = api.Client.For<Secret>();
        await secrets.CreateAsync(NewSecret("a"));
        var b = await secrets.CreateAsync(NewSecret("b"));
        var first = await secrets.ListAsync(new ListRequest { Namespace = "default", Limit = 1 });

        var changed = b.Clone();
        changed.Data["password"] = ByteString.CopyFromUtf8("changed");
        await secrets.UpdateAsync(changed);
        var second = await secrets.ListAsync(new ListRequest { Namespace = "default", Limit = 1, Continue = first.Continue });

        var listed = Assert.Single(second.Items);
        Assert.Equal(("b", b.Metadata.ResourceVersion, Plaintext), (listed.Metadata.Name, listed.Metadata.ResourceVersion, listed.Data["password"].ToStringUtf8()));
    }

    [Fact]
    public async Task Rotate_NewFirstKey_OldSecretsReadAndReencryptedOnRewrite()
    {
        var key1 = NewKey();
        var key2 = NewKey();
        await using (var before = await StartAsync(Config(("key1", key1))))
        {
            await before.Client.For<Secret>().CreateAsync(NewSecret("rotated"));
        }

        await using (var rotating = await StartAsync(Config(("key2", key2), ("key1", key1))))
        {
            var secrets = rotating.Client.For<Secret>();
            var old = await secrets.GetAsync("default", "rotated");
            Assert.Equal(Plaintext, old.Data["password"].ToStringUtf8());
            Assert.Contains("k8s:enc:aesgcm:v1:key1:", Encoding.Latin1.GetString(await RawAsync("rotated")), StringComparison.Ordinal);

            await secrets.UpdateAsync(old);
            Assert.Contains("k8s:enc:aesgcm:v1:key2:", Encoding.Latin1.GetString(await RawAsync("rotated")), StringComparison.Ordinal);
        }

        await using var after = await StartAsync(Config(("key2", key2)));
        var rewritten = await after.Client.For<Secret>().GetAsync("default", "rotated");
        Assert.Equal(Plaintext, rewritten.Data["password"].ToStringUtf8());
    }

    [Fact]
    public void Load_KeyOfWrongLength_NamesTheField()
    {
        var path = Config(("short", Convert.ToBase64String(new byte[7])));

        var ex = Assert.Throws<InvalidOperationException>(() => EncryptionConfiguration.Load(path));

        Assert.Contains("resources[0].providers[0].aesgcm.keys[0].secret: must be 16, 24 or 32 bytes", ex.Message, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        _raw?.Dispose();
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private Task<ApiServerHost> StartAsync(string config) => ApiServerHost.StartAsync(_store.ConnectionString, new Dictionary<string, string?>
    {
        ["Store:KeyPrefix"] = _prefix,
        ["ApiServer:EncryptionProviderConfig"] = config,
    });

    private async Task<byte[]> RawAsync(string name) => (byte[])(await _raw!.GetDatabase().HashGetAsync(_prefix + "/secrets", "default/" + name))!;

    private string Config(params (string Name, string Secret)[] keys)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".yaml");
        var lines = new List<string>
        {
            "apiVersion: apiserver.config.k8s.io/v1",
            "kind: EncryptionConfiguration",
            "resources:",
            "- resources: [secrets]",
            "  providers:",
            "  - aesgcm:",
            "      keys:",
        };
        lines.AddRange(keys.SelectMany(k => new[] { $"      - name: {k.Name}", $"        secret: {k.Secret}" }));
        lines.Add("  - identity: {}");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static string NewKey() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private static Secret NewSecret(string name) => new()
    {
        Metadata = new ObjectMeta { Namespace = "default", Name = name },
        Data = { ["password"] = ByteString.CopyFromUtf8(Plaintext) },
    };
}
