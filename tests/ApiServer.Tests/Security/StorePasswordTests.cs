using System.Net;
using System.Net.Sockets;
using System.Text;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.ApiServer.Tests.Security;

/// <summary>Both stores with a password: the api-server, given it, works; any other client is refused every command.</summary>
public sealed class StorePasswordTests
{
    [SkippableTheory]
    [InlineData("redis")]
    [InlineData("garnet")]
    public async Task Store_WithPassword_RefusesClientsWithoutItAndServesTheApiServer(string storeName)
    {
        var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        await using StoreServer store = storeName == "garnet" ? new EmbeddedStoreServer { Password = password } : new RedisServer { Password = password };
        await store.StartAsync();
        await using var api = await ApiServerHost.StartAsync(store.ConnectionString);
        await api.ConfigMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Namespace = "default", Name = "guarded" } }, deadline: DateTime.UtcNow.AddSeconds(30));

        var withoutPassword = await SendAsync(store.Port, ["KEYS", "*"]);
        var wrongPassword = await SendAsync(store.Port, ["AUTH", "not-" + password], ["KEYS", "*"]);

        Assert.StartsWith("-NOAUTH", withoutPassword, StringComparison.Ordinal);
        Assert.DoesNotContain("guarded", withoutPassword + wrongPassword, StringComparison.Ordinal);
        Assert.StartsWith("-", wrongPassword, StringComparison.Ordinal);
        Assert.Contains("-NOAUTH", wrongPassword, StringComparison.Ordinal);
        var kept = await api.ConfigMaps.GetAsync(new GetRequest { Namespace = "default", Name = "guarded" }, deadline: DateTime.UtcNow.AddSeconds(30));
        Assert.Equal("guarded", kept.Metadata.Name);
    }

    /// <summary>Sends each command as a RESP array on one connection and returns every reply line received until each is answered.</summary>
    private static async Task<string> SendAsync(int port, params string[][] commands)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        var stream = client.GetStream();
        var request = new StringBuilder();
        foreach (var command in commands)
        {
            request.Append('*').Append(command.Length).Append("\r\n");
            foreach (var word in command)
            {
                request.Append('$').Append(Encoding.UTF8.GetByteCount(word)).Append("\r\n").Append(word).Append("\r\n");
            }
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), timeout.Token);
        using var reader = new StreamReader(stream);
        var replies = new StringBuilder();
        for (var i = 0; i < commands.Length; i++)
        {
            replies.Append(await reader.ReadLineAsync(timeout.Token)).Append('\n');
        }

        return replies.ToString();
    }
}
