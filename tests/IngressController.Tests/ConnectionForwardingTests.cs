using System.Net;
using System.Net.Sockets;
using System.Text;
using KubeMesh.IngressController.Proxy;
using KubeMesh.IngressController.Tests.Infrastructure;
using KubeMesh.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace KubeMesh.IngressController.Tests;

/// <summary>
/// The HTTP port's connections as the controller reads them first (<see cref="ConnectionForwarding"/>): plain
/// requests are served straight off the connection, and must reach the pod and the client exactly as the same
/// requests do through Kestrel; the first request it does not take, and all after it, go to Kestrel unread.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ConnectionForwardingTests(ClusterFixture cluster)
{
    private ConnectionForwarding Forwarding => cluster.IngressServices.GetRequiredService<ConnectionForwarding>();

    [SkippableFact]
    public async Task PlainRequest_OffTheConnection_SameHeadsBothWaysAsThroughKestrel()
    {
        await using var pod = EchoingHeads();
        var host = await ServeAsync(pod, "cf-heads");
        var get = "GET /h/x;p=1/a:b@c?q=1&r=%20 HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: t/1\r\nAccept: */*\r\nX-Custom:  v  1 \r\n"
            + "Cookie: a=1; b=2\r\nX-Forwarded-For: 10.9.9.9\r\nX-Real-IP: 10.9.9.9\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n"
            + "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00\r\nX-Latin: caf\u00e9\r\n\r\n";
        var (served, handedOver) = (Forwarding.Served, Forwarding.HandedOver);

        // Off the connection: the connection's first request.
        Response direct;
        using (var client = await RawClient.ConnectAsync(cluster.HttpPort))
        {
            direct = await client.SendAsync(get);
        }

        // Through Kestrel: a request with a body hands the connection over, and the same request follows it.
        Response kestrel;
        using (var client = await RawClient.ConnectAsync(cluster.HttpPort))
        {
            var post = await client.SendAsync($"POST /h HTTP/1.1\r\nHost: {host}\r\nContent-Length: 2\r\n\r\nab");
            Assert.Equal("HTTP/1.1 200 OK", post.StatusLine);
            kestrel = await client.SendAsync(get);
        }

        // The pod sees the same request line and fields (Kestrel lists the fields it knows in an order of its own).
        Assert.Equal("HTTP/1.1 200 OK", direct.StatusLine);
        Assert.Equal(Sorted(kestrel.Body), Sorted(direct.Body));
        Assert.StartsWith("GET /h/x;p=1/a:b@c?q=1&r=%20 HTTP/1.1\r\nHost: " + host + "\r\n", direct.Body);
        Assert.Contains("X-Forwarded-For: 127.0.0.1\r\n", direct.Body);
        Assert.Contains("X-Custom: v  1\r\n", direct.Body);
        Assert.Contains("X-Latin: caf\u00e9\r\n", direct.Body);
        Assert.DoesNotContain("10.9.9.9", direct.Body);
        Assert.DoesNotContain("Keep-Alive", direct.Body);

        Assert.Equal(kestrel.StatusLine, direct.StatusLine);
        Assert.Equal(Fields(kestrel), Fields(direct));
        Assert.Contains(direct.Fields, f => f.Name == "Date");

        await Eventually.Until(() => Task.FromResult((Forwarding.Served - served, Forwarding.HandedOver - handedOver)),
            d => d.Item1 >= 1 && d.Item2 >= 1, ClusterFixture.Timeout, "one request served off its connection, one connection handed to Kestrel");
    }

    [SkippableFact]
    public async Task Pipelined_ThenHandedOverMidConnection_AnsweredInOrder()
    {
        await using var pod = EchoingHeads();
        var host = await ServeAsync(pod, "cf-pipelined");
        var (served, handedOver) = (Forwarding.Served, Forwarding.HandedOver);
        using (var client = await RawClient.ConnectAsync(cluster.HttpPort))
        {
            // Four requests in one write: two plain, one with a body (Kestrel's from here on), one plain again.
            await client.WriteAsync($"GET /p1 HTTP/1.1\r\nHost: {host}\r\n\r\nHEAD /p2 HTTP/1.1\r\nHost: {host}\r\n\r\n"
                + $"POST /p3 HTTP/1.1\r\nHost: {host}\r\nContent-Length: 2\r\n\r\nab" + $"GET /p4 HTTP/1.1\r\nHost: {host}\r\n\r\n");
            var first = await client.ReadResponseAsync();
            var head = await client.ReadResponseAsync(headRequest: true);
            var post = await client.ReadResponseAsync();
            var last = await client.ReadResponseAsync();
            Assert.StartsWith("GET /p1 ", first.Body);
            Assert.Equal("HTTP/1.1 200 OK", head.StatusLine);
            Assert.Equal("", head.Body);
            Assert.True(head.Fields.Any(f => f.Name == "Content-Length"), "HEAD keeps the pod's Content-Length");
            Assert.StartsWith("POST /p3 ", post.Body);
            Assert.StartsWith("GET /p4 ", last.Body);
        }

        await Eventually.Until(() => Task.FromResult((Forwarding.Served - served, Forwarding.HandedOver - handedOver)),
            d => d.Item1 >= 2 && d.Item2 >= 1, ClusterFixture.Timeout, "two served off the connection, then handed over");
    }

    [SkippableFact]
    public async Task HeadInPieces_IsServed_AndHalfAHeadTimesOutWith408()
    {
        await using var pod = EchoingHeads();
        var host = await ServeAsync(pod, "cf-pieces");
        using (var client = await RawClient.ConnectAsync(cluster.HttpPort))
        {
            foreach (var piece in new[] { "GE", "T /pie", "ces HTTP/1.1\r", "\nHost: " + host + "\r\n", "X-A: 1\r\n\r", "\n" })
            {
                await client.WriteAsync(piece);
                await Task.Delay(50);
            }

            var response = await client.ReadResponseAsync();
            Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
            Assert.StartsWith("GET /pieces HTTP/1.1\r\n", response.Body);

            // Then half a head, and nothing more: Kestrel's 408 within its request-headers timeout, and the connection ends.
            await client.WriteAsync($"GET /half HTTP/1.1\r\nHost: {host}\r\n");
            var timedOut = await client.ReadResponseAsync().WaitAsync(ClusterFixture.RequestHeadersTimeout * 5);
            Assert.Equal("HTTP/1.1 408 Request Timeout", timedOut.StatusLine);
            Assert.True(await client.IsClosedAsync(), "the connection ends after the 408");
        }
    }

    [SkippableTheory]
    [InlineData("GET /a%2Fb HTTP/1.1\r\nHost: {host}\r\n\r\n", "HTTP/1.1 200 OK", "GET /a%2Fb HTTP/1.1")]
    [InlineData("GET /d/./e HTTP/1.1\r\nHost: {host}\r\n\r\n", "HTTP/1.1 200 OK", "GET /d/e HTTP/1.1")]
    [InlineData("GET /x HTTP/1.0\r\nHost: {host}\r\n\r\n", "HTTP/1.1 200 OK", "GET /x HTTP/1.1")]
    [InlineData("GET /x HTTP/1.1\r\nHost: {host}\r\nX-A: 1\r\nX-A: 2\r\n\r\n", "HTTP/1.1 200 OK", "X-A: 1, 2\r\n")]
    [InlineData("GET /x HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n", "HTTP/1.1 200 OK", "GET /x HTTP/1.1")]
    [InlineData("GET /x HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request", null)]
    [InlineData("GET /x HTTP/1.1\r\nHost: {host}\r\nBad Name: 1\r\n\r\n", "HTTP/1.1 400 Bad Request", null)]
    [InlineData("NOT A REQUEST\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported", null)]
    [InlineData("GET http://{host}/abs HTTP/1.1\r\nHost: {host}\r\n\r\n", "HTTP/1.1 200 OK", "GET /abs HTTP/1.1")]
    public async Task RequestNotTaken_IsKestrels_AnsweredAsUsual(string request, string status, string? podSaw)
    {
        await using var pod = EchoingHeads();
        var host = await ServeAsync(pod, "cf-kestrel");
        var handedOver = Forwarding.HandedOver;
        using var client = await RawClient.ConnectAsync(cluster.HttpPort);
        var response = await client.SendAsync(request.Replace("{host}", host, StringComparison.Ordinal));
        Assert.Equal(status, response.StatusLine);
        if (podSaw is not null)
        {
            Assert.Contains(podSaw, response.Body);
        }

        Assert.True(Forwarding.HandedOver > handedOver, "the connection went to Kestrel");
    }

    [SkippableFact]
    public async Task HostileClients_GarbageResetsAndUnreadResponses_LeaveTheControllerServing()
    {
        await using var pod = EchoingHeads();
        var host = await ServeAsync(pod, "cf-hostile");
        var get = $"GET /h HTTP/1.1\r\nHost: {host}\r\n\r\n";
        var garbage = new byte[4096];
        new Random(11).NextBytes(garbage);

        async Task AbuseAsync(int kind)
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, cluster.HttpPort).WaitAsync(ClusterFixture.Timeout);
            switch (kind)
            {
                case 0:
                    await socket.SendAsync(garbage);
                    break;
                case 1:
                    await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /h HTTP/1.1\r\nHost: {host}\r\nX-Half: "));
                    break;
                case 2:
                    await socket.SendAsync(Encoding.ASCII.GetBytes(get));
                    break;
                case 3:
                    // A pipelined burst whose responses are never read.
                    await socket.SendAsync(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(get, 200))));
                    await Task.Delay(20);
                    break;
                default:
                    break;
            }

            // Half of them end with a reset instead of a FIN.
            socket.LingerState = new LingerOption(kind % 2 == 0, 0);
            socket.Close();
        }

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => AbuseAsync(i % 5))).WaitAsync(ClusterFixture.Timeout);

        // The loops, the front and Kestrel still serve, off the connection and handed over.
        for (var i = 0; i < 20; i++)
        {
            using var client = await RawClient.ConnectAsync(cluster.HttpPort);
            var plain = await client.SendAsync(get);
            Assert.Equal("HTTP/1.1 200 OK", plain.StatusLine);
            var post = await client.SendAsync($"POST /h HTTP/1.1\r\nHost: {host}\r\nContent-Length: 2\r\n\r\nab");
            Assert.Equal("HTTP/1.1 200 OK", post.StatusLine);
        }
    }

    [SkippableFact]
    public async Task OversizedHead_IsKestrels431()
    {
        await using var pod = EchoingHeads();
        var host = await ServeAsync(pod, "cf-large");
        using var client = await RawClient.ConnectAsync(cluster.HttpPort);
        var response = await client.SendAsync($"GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: {new string('a', 40_000)}\r\n\r\n");
        Assert.Equal("HTTP/1.1 431 Request Header Fields Too Large", response.StatusLine);
    }

    [SkippableFact]
    public async Task PodBodies_ChunkedAndCloseDelimited_ReachTheClientChunked()
    {
        await using var chunked = RawHttpBackend.Answering("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Pod: c\r\n\r\n5\r\nhello\r\n", "6\r\n world\r\n0\r\nX-T: 1\r\n\r\n");
        await using var closing = RawHttpBackend.Start(async c =>
        {
            await c.ReadHeadAsync();
            await c.WriteAsync("HTTP/1.1 203 Custom Phrase\r\nConnection: close, X-Hop\r\nX-Hop: h\r\nX-Pod: k\r\n\r\nuntil ");
            await c.WriteAsync("close");
            c.Close();
        });
        await cluster.CreateServiceAsync("cf-chunked", ("127.0.0.1", chunked.Port));
        await cluster.CreateServiceAsync("cf-closing", ("127.0.0.1", closing.Port));
        await cluster.CreateIngressAsync(ClusterFixture.Ingress("cf-bodies", "bodies.cf.example.com", ("/c", "Prefix", "cf-chunked"), ("/k", "Prefix", "cf-closing")));
        using var client = await RawClient.ConnectAsync(cluster.HttpPort);
        await Eventually.Until(() => client.SendAsync("GET /c HTTP/1.1\r\nHost: bodies.cf.example.com\r\n\r\n"), r => r.StatusLine == "HTTP/1.1 200 OK",
            ClusterFixture.Timeout, "the ingress is served");

        var first = await client.SendAsync("GET /c HTTP/1.1\r\nHost: bodies.cf.example.com\r\n\r\n");
        Assert.Equal("hello world", first.Body);
        Assert.True(first.Chunked);
        Assert.DoesNotContain(first.Fields, f => f.Name == "X-T");
        Assert.Empty(first.Trailers);

        var second = await client.SendAsync("GET /k HTTP/1.1\r\nHost: bodies.cf.example.com\r\n\r\n");
        Assert.Equal("HTTP/1.1 203 Custom Phrase", second.StatusLine);
        Assert.Equal("until close", second.Body);
        Assert.True(second.Chunked);
        Assert.Contains(second.Fields, f => f is ("X-Pod", "k"));
        Assert.DoesNotContain(second.Fields, f => f.Name is "X-Hop" or "Connection");

        // The client's connection stays open through both.
        var third = await client.SendAsync("GET /c HTTP/1.1\r\nHost: bodies.cf.example.com\r\n\r\n");
        Assert.Equal("hello world", third.Body);
    }

    /// <summary>A pod that answers each request with the head it received (and any body after it).</summary>
    private static RawHttpBackend EchoingHeads() => RawHttpBackend.Start(async c =>
    {
        while (await c.ReadHeadAsync() is { } head)
        {
            var length = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } line
                ? int.Parse(line["Content-Length:".Length..])
                : 0;
            var body = head + (length > 0 ? await c.ReadBytesAsync(length) : "");
            await c.WriteAsync($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Pod: echo\r\nContent-Length: {Encoding.Latin1.GetByteCount(body)}\r\n\r\n{body}");
        }
    });

    /// <summary>An Ingress of its own (a unique name and host) for <paramref name="pod"/>, once served; its host.</summary>
    private async Task<string> ServeAsync(RawHttpBackend pod, string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        var host = $"{name}.cf.example.com";
        await cluster.CreateServiceAsync(name, ("127.0.0.1", pod.Port));
        await cluster.CreateIngressAsync(ClusterFixture.Ingress(name, host, ("/", "Prefix", name)));
        // Served both ways: a plain GET off the connection, and a POST on the connection Kestrel is then given.
        await Eventually.Until(async () =>
        {
            using var client = await RawClient.ConnectAsync(cluster.HttpPort);
            var plain = await client.SendAsync($"GET /ready HTTP/1.1\r\nHost: {host}\r\n\r\n");
            var routed = await client.SendAsync($"POST /ready HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n");
            return (plain.StatusLine, routed.StatusLine);
        }, r => r == ("HTTP/1.1 200 OK", "HTTP/1.1 200 OK"), ClusterFixture.Timeout, "the ingress is served, off the connection and through Kestrel");
        return host;
    }

    /// <summary>A request head as its request line and its field lines in order.</summary>
    private static List<string> Sorted(string head)
    {
        var lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        return [lines[0], .. lines[1..].Order(StringComparer.Ordinal)];
    }

    private static List<(string Name, string Value)> Fields(Response response) =>
        [.. response.Fields.Where(f => f.Name != "Date").OrderBy(f => f.Name, StringComparer.Ordinal)];

    internal sealed record Response(string StatusLine, List<(string Name, string Value)> Fields, string Body, bool Chunked, List<string> Trailers);

    /// <summary>
    /// A client that writes requests as given and reads responses as they are framed, over the same hand-written
    /// HTTP/1.1 reads as <see cref="RawHttpBackend"/>'s pods; every read waits at most the fixture's timeout.
    /// </summary>
    internal sealed class RawClient(RawConnection connection) : IDisposable
    {
        public static async Task<RawClient> ConnectAsync(int port)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Loopback, port).WaitAsync(ClusterFixture.Timeout);
            return new RawClient(new RawConnection(socket));
        }

        public Task WriteAsync(string text) => connection.WriteAsync(text);

        public async Task<Response> SendAsync(string request)
        {
            await WriteAsync(request);
            return await ReadResponseAsync(request.StartsWith("HEAD ", StringComparison.Ordinal));
        }

        public async Task<Response> ReadResponseAsync(bool headRequest = false)
        {
            var head = await connection.ReadHeadAsync().WaitAsync(ClusterFixture.Timeout)
                ?? throw new IOException("the connection closed before a response head");
            var lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            var fields = lines[1..].Select(l => (Name: l[..l.IndexOf(':')], Value: l[(l.IndexOf(':') + 1)..].Trim())).ToList();
            var status = int.Parse(lines[0].Split(' ')[1]);
            var length = fields.Where(f => f.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(f => int.Parse(f.Value)).FirstOrDefault(-1);
            var chunked = fields.Any(f => f.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && f.Value == "chunked");
            string body;
            var trailers = new List<string>();
            if (headRequest || status is 204 or 304)
            {
                body = "";
            }
            else if (chunked)
            {
                var text = new StringBuilder();
                while (true)
                {
                    var size = Convert.ToInt32((await ReadLineAsync()).Split(';')[0], 16);
                    if (size == 0)
                    {
                        while (await ReadLineAsync() is { Length: > 0 } trailer)
                        {
                            trailers.Add(trailer);
                        }

                        break;
                    }

                    text.Append(await connection.ReadBytesAsync(size).WaitAsync(ClusterFixture.Timeout));
                    await ReadLineAsync();
                }

                body = text.ToString();
            }
            else
            {
                body = length >= 0 ? await connection.ReadBytesAsync(length).WaitAsync(ClusterFixture.Timeout) : "";
            }

            return new Response(lines[0], fields, body, chunked, trailers);
        }

        /// <summary>Whether the server closed the connection (nothing more arrives, within the timeout).</summary>
        public async Task<bool> IsClosedAsync()
        {
            try
            {
                return await connection.ReadHeadAsync().WaitAsync(ClusterFixture.Timeout) is null;
            }
            catch (IOException)
            {
                return true;
            }
        }

        public void Dispose() => connection.Dispose();

        private Task<string> ReadLineAsync() => connection.ReadLineAsync().WaitAsync(ClusterFixture.Timeout);
    }
}
