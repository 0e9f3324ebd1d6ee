using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.IngressController.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.IngressController.Tests;

/// <summary>HTTP through the whole controller to real pods: upgrades, 100-continue, chunked bodies, trailers, timeouts and failures.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ProxyProtocolTests(ClusterFixture cluster) : IDisposable
{
    private readonly IngressHttp _client = new(cluster);

    [Fact]
    public async Task WebSocket_ThroughTheIngress_EchoesBothWays()
    {
        await using var pod = await KestrelBackend.StartAsync(async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    return;
                }

                await socket.SendAsync(Encoding.UTF8.GetBytes("echo:" + Encoding.UTF8.GetString(buffer, 0, received.Count)), WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }, app => app.UseWebSockets());
        await ServeAsync("ws", "ws.example.com", ("127.0.0.1", pod.Port));
        using var invoker = new HttpMessageInvoker(IngressHttp.Handler(cluster.HttpPort));
        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await socket.ConnectAsync(new Uri($"ws://ws.example.com:{cluster.HttpPort}/chat"), invoker, timeout.Token);
        var replies = new List<string>();
        foreach (var message in new[] { "one", "two" })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, timeout.Token);
            var buffer = new byte[1024];
            var received = await socket.ReceiveAsync(buffer, timeout.Token);
            replies.Add(Encoding.UTF8.GetString(buffer, 0, received.Count));
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        Assert.Equal(["echo:one", "echo:two"], replies);
        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Fact]
    public async Task ExpectContinue_PodReadsTheBody_ClientGetsItsAnswer()
    {
        await using var pod = await KestrelBackend.StartAsync(async context =>
            await context.Response.WriteAsync("got " + await new StreamReader(context.Request.Body).ReadToEndAsync()));
        await ServeAsync("continue", "continue.example.com", ("127.0.0.1", pod.Port));
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://continue.example.com:{cluster.HttpPort}/") { Content = new StringContent("payload") };
        request.Headers.ExpectContinue = true;
        using var http = new HttpClient(IngressHttp.Handler(cluster.HttpPort)) { Timeout = TimeSpan.FromSeconds(10) };
        var timer = Stopwatch.StartNew();

        using var response = await http.SendAsync(request);

        Assert.Equal("got payload", await response.Content.ReadAsStringAsync());
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(0.9), $"took {timer.Elapsed}: the client waited out its 100-continue timeout");
    }

    [Fact]
    public async Task ExpectContinue_PodRefusesFirst_ClientNeverSendsTheBody()
    {
        await using var pod = await KestrelBackend.StartAsync(context =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return context.Response.WriteAsync("who are you");
        });
        await ServeAsync("refuse", "refuse.example.com", ("127.0.0.1", pod.Port));
        var content = new WatchedContent(new byte[100_000]);
        var request = new HttpRequestMessage(HttpMethod.Put, $"http://refuse.example.com:{cluster.HttpPort}/") { Content = content };
        request.Headers.ExpectContinue = true;
        using var handler = IngressHttp.Handler(cluster.HttpPort);
        handler.Expect100ContinueTimeout = TimeSpan.FromSeconds(5);
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("who are you", await response.Content.ReadAsStringAsync());
        Assert.False(content.Sent);
    }

    [Fact]
    public async Task ChunkedUploadAndLargeDownload_ArriveWhole()
    {
        var download = new byte[2 * 1024 * 1024 + 3];
        new Random(7).NextBytes(download);
        await using var pod = await KestrelBackend.StartAsync(async context =>
        {
            if (HttpMethods.IsGet(context.Request.Method))
            {
                await context.Response.Body.WriteAsync(download);
                return;
            }

            var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            await context.Response.WriteAsync($"te={context.Request.Headers.TransferEncoding} bytes={body.Length} sum={body.ToArray().Sum(b => b)}");
        });
        await ServeAsync("bulk", "bulk.example.com", ("127.0.0.1", pod.Port));
        var upload = new byte[300_000];
        new Random(8).NextBytes(upload);
        using var http = new HttpClient(IngressHttp.Handler(cluster.HttpPort)) { Timeout = TimeSpan.FromSeconds(20) };

        using var posted = await http.PostAsync($"http://bulk.example.com:{cluster.HttpPort}/", new StreamContent(new UnseekableStream(upload)));
        var downloaded = await http.GetByteArrayAsync($"http://bulk.example.com:{cluster.HttpPort}/");

        Assert.Equal($"te=chunked bytes={upload.Length} sum={upload.Sum(b => b)}", await posted.Content.ReadAsStringAsync());
        Assert.Equal(download, downloaded);
    }

    [Fact]
    public async Task Head_ContentLengthWithoutBody()
    {
        await using var pod = await KestrelBackend.StartAsync(context =>
        {
            context.Response.ContentLength = 4321;
            return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(new byte[4321]).AsTask();
        });
        await ServeAsync("head", "head.example.com", ("127.0.0.1", pod.Port));
        using var http = new HttpClient(IngressHttp.Handler(cluster.HttpPort)) { Timeout = TimeSpan.FromSeconds(10) };

        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"http://head.example.com:{cluster.HttpPort}/"));
        var get = await http.GetByteArrayAsync($"http://head.example.com:{cluster.HttpPort}/");

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(4321, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(4321, get.Length);
    }

    [Fact]
    public async Task Trailers_FromAChunkedPod_ReachAnHttp2Client()
    {
        await using var pod = RawHttpBackend.Answering("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Digest\r\n\r\n4\r\nbody\r\n0\r\nX-Digest: d1\r\n\r\n");
        await ServeAsync("trailers", "trailers.example.com", ("127.0.0.1", pod.Port));

        using var response = await _client.GetHttpsAsync("trailers.example.com", "/", HttpVersion.Version20);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("body", body);
        Assert.Equal(["d1"], response.TrailingHeaders.GetValues("X-Digest"));
    }

    [Fact]
    public async Task PodRefusingConnections_Is502()
    {
        var port = FreePort.Get();
        await ServeAsync("refused", "refused.example.com", ("127.0.0.1", port), wait: false);

        var answer = await Eventually.Until(() => _client.GetBodyAsync("refused.example.com", "/"), b => !b.StartsWith("404 "), ClusterFixture.Timeout, "the route is served");

        Assert.StartsWith("502 ", answer);
    }

    [Fact]
    public async Task PodSlowerThanProxyReadTimeout_Is504()
    {
        await using var pod = await KestrelBackend.StartAsync(async context =>
        {
            if (context.Request.Path == "/slow")
            {
                await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
            }

            await context.Response.WriteAsync("fast");
        });
        await ServeAsync("slow", "slow.example.com", ("127.0.0.1", pod.Port));
        var configMaps = cluster.Client.For<ConfigMap>();
        await configMaps.CreateAsync(new ConfigMap
        {
            Metadata = new ObjectMeta { Name = "nginx-configuration", Namespace = "ingress-nginx" },
            Data = { ["proxy-read-timeout"] = "1" },
        });
        using var http = new HttpClient(IngressHttp.Handler(cluster.HttpPort)) { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            // The new timeout is in once a request stops waiting for the pod after about a second.
            var timer = new Stopwatch();
            var answer = await Eventually.Until(
                async () =>
                {
                    timer.Restart();
                    using var response = await http.GetAsync($"http://slow.example.com:{cluster.HttpPort}/slow");
                    return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                },
                b => b.StartsWith("504 "),
                TimeSpan.FromSeconds(30),
                "proxy-read-timeout applies");

            Assert.StartsWith("504 ", answer);
            Assert.InRange(timer.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
            Assert.Equal("200 fast", await _client.GetBodyAsync("slow.example.com", "/"));
        }
        finally
        {
            await configMaps.DeleteAsync("ingress-nginx", "nginx-configuration");
        }
    }

    [Fact]
    public async Task HeaderBytes_AndHopByHopFields_AsNginxPassesThem()
    {
        string? seen = null;
        await using var pod = RawHttpBackend.Start(async c =>
        {
            while (await c.ReadHeadAsync() is { } head)
            {
                seen = head;
                await c.WriteAsync("HTTP/1.1 200 OK\r\nX-Reply: na\u00efve\r\nConnection: X-Pod-Hop\r\nX-Pod-Hop: 1\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        await ServeAsync("latin", "latin.example.com", ("127.0.0.1", pod.Port));

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, cluster.HttpPort);
        await using var stream = new NetworkStream(socket);
        await stream.WriteAsync(Encoding.Latin1.GetBytes(
            "GET /raw HTTP/1.1\r\nHost: latin.example.com\r\nX-Name: caf\u00e9\r\nConnection: X-Client-Hop\r\nX-Client-Hop: secret\r\n\r\n"));
        var response = await ReadHeadAsync(stream);

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response);
        Assert.Contains("\r\nX-Reply: na\u00efve\r\n", response);
        Assert.DoesNotContain("X-Pod-Hop", response);
        Assert.Contains("\r\nX-Name: caf\u00e9\r\n", seen);
        Assert.DoesNotContain("X-Client-Hop", seen);
    }

    [Fact]
    public async Task ChunkedResponse_ReachesTheClientPieceByPiece()
    {
        var firstSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var pod = RawHttpBackend.Start(async c =>
        {
            while (await c.ReadHeadAsync() is { } head)
            {
                if (!head.Contains(" /events ", StringComparison.Ordinal))
                {
                    await c.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                    continue;
                }

                await c.WriteAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n6\r\nfirst\n\r\n");

                // The rest only once the client has the first piece: a proxy that buffered the body would wait forever.
                await firstSeen.Task.WaitAsync(TimeSpan.FromSeconds(10));
                await c.WriteAsync("7\r\nsecond\n\r\n0\r\n\r\n");
            }
        });
        await ServeAsync("events", "events.example.com", ("127.0.0.1", pod.Port));
        using var http = new HttpClient(IngressHttp.Handler(cluster.HttpPort)) { Timeout = TimeSpan.FromSeconds(20) };

        using var response = await http.GetAsync($"http://events.example.com:{cluster.HttpPort}/events", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var first = await body.ReadAsync(buffer, timeout.Token);
        var firstText = Encoding.ASCII.GetString(buffer, 0, first);
        firstSeen.SetResult();
        var rest = await new StreamReader(body).ReadToEndAsync(timeout.Token);

        Assert.Equal("first\n", firstText);
        Assert.Equal("second\n", rest);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task ResponsesWithoutBodies_AndReasonPhrases_KeepBothConnectionsAlive()
    {
        await using var pod = RawHttpBackend.Start(async c =>
        {
            while (await c.ReadHeadAsync() is { } head)
            {
                await c.WriteAsync(head.Split(' ')[1] switch
                {
                    "/204" => "HTTP/1.1 204 No Content\r\nX-Kind: none\r\n\r\n",
                    "/304" => "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 10\r\n\r\n",
                    _ => "HTTP/1.1 299 Fine Thanks\r\nDate: Tue, 01 Dec 2026 00:00:00 GMT\r\nContent-Length: 2\r\n\r\nok",
                });
            }
        });
        await ServeAsync("nobody", "nobody.example.com", ("127.0.0.1", pod.Port));

        // One client connection, written by hand: each answer must end exactly where its framing says for the next to parse.
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, cluster.HttpPort);
        await using var stream = new NetworkStream(socket);
        var answers = new List<string>();
        foreach (var path in new[] { "/204", "/304", "/other", "/other" })
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: nobody.example.com\r\n\r\n"));
            answers.Add(await ReadUntilAsync(stream, path == "/other" ? "\r\n\r\nok" : "\r\n\r\n"));
        }

        Assert.StartsWith("HTTP/1.1 204 No Content\r\n", answers[0]);
        Assert.Contains("\r\nX-Kind: none\r\n", answers[0]);
        Assert.StartsWith("HTTP/1.1 304 Not Modified\r\n", answers[1]);
        Assert.Contains("\r\nETag: \"v1\"\r\n", answers[1]);
        Assert.StartsWith("HTTP/1.1 299 Fine Thanks\r\n", answers[2]);
        Assert.Single(answers[2].Split("\r\n"), line => line.StartsWith("Date:", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("\r\nDate: Tue, 01 Dec 2026 00:00:00 GMT\r\n", answers[2]);
        Assert.EndsWith("\r\n\r\nok", answers[2]);
        Assert.StartsWith("HTTP/1.1 299 Fine Thanks\r\n", answers[3]);
        Assert.EndsWith("\r\n\r\nok", answers[3]);

        // The route probe and all four requests over one kept-alive connection to the pod.
        Assert.Equal(1, pod.Connections);
    }

    [Fact]
    public async Task PodClosingMidBody_EndsTheClientsResponseAsBroken()
    {
        await using var pod = RawHttpBackend.Start(async c =>
        {
            var head = await c.ReadHeadAsync();
            if (head is not null && head.Contains(" /short ", StringComparison.Ordinal))
            {
                await c.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part");
                c.Close();
                return;
            }

            await c.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            c.Close();
        });
        await ServeAsync("short", "short.example.com", ("127.0.0.1", pod.Port));
        using var http = new HttpClient(IngressHttp.Handler(cluster.HttpPort)) { Timeout = TimeSpan.FromSeconds(10) };

        var failure = await Record.ExceptionAsync(() => http.GetByteArrayAsync($"http://short.example.com:{cluster.HttpPort}/short"));

        Assert.True(failure is HttpRequestException or IOException, $"a truncated body must not look whole: {failure}");
        Assert.Equal("200 ok", await _client.GetBodyAsync("short.example.com", "/"));
    }

    [Fact]
    public async Task ForwardedHeaders_AreThisHopsWhateverTheClientClaims_WithOrWithoutABody()
    {
        var seen = new List<string>();
        await using var pod = RawHttpBackend.Start(async c =>
        {
            while (await c.ReadHeadAsync() is { } head)
            {
                if (head.Contains("Content-Length: 4", StringComparison.Ordinal))
                {
                    await c.ReadBytesAsync(4);
                }

                lock (seen)
                {
                    seen.Add(head);
                }

                await c.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        await ServeAsync("claims", "claims.example.com", ("127.0.0.1", pod.Port));
        using var http = new HttpClient(IngressHttp.Handler(cluster.HttpPort)) { Timeout = TimeSpan.FromSeconds(10) };
        lock (seen)
        {
            seen.Clear();
        }

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
        {
            using var request = new HttpRequestMessage(method, $"http://claims.example.com:{cluster.HttpPort}/who?x=1%202")
            {
                Content = method == HttpMethod.Post ? new StringContent("body") : null,
                Headers =
                {
                    { "X-Forwarded-For", "203.0.113.9" },
                    { "X-Real-IP", "203.0.113.9" },
                    { "X-Forwarded-Proto", "https" },
                    { "X-Forwarded-Port", "1" },
                    { "X-Custom", "kept" },
                },
            };
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, seen.Count);
        Assert.All(seen, head =>
        {
            Assert.DoesNotContain("203.0.113.9", head);
            Assert.Contains(" /who?x=1%202 HTTP/1.1\r\n", head);
            Assert.Contains($"\r\nHost: claims.example.com:{cluster.HttpPort}\r\n", head);
            Assert.Contains("\r\nX-Forwarded-For: 127.0.0.1\r\n", head);
            Assert.Contains("\r\nX-Real-IP: 127.0.0.1\r\n", head);
            Assert.Contains("\r\nX-Forwarded-Proto: http\r\n", head);
            Assert.Contains($"\r\nX-Forwarded-Host: claims.example.com:{cluster.HttpPort}\r\n", head);
            Assert.Contains($"\r\nX-Forwarded-Port: {cluster.HttpPort}\r\n", head);
            Assert.Contains("\r\nX-Custom: kept\r\n", head);
        });
    }

    private static Task<string> ReadHeadAsync(Stream stream) => ReadUntilAsync(stream, "\r\n\r\n");

    /// <summary>What arrives until <paramref name="end"/> has (or the connection ends, or 10 s pass).</summary>
    private static async Task<string> ReadUntilAsync(Stream stream, string end)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (Encoding.Latin1.GetString([.. received]).IndexOf(end, StringComparison.Ordinal) < 0)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        return Encoding.Latin1.GetString([.. received]);
    }

    /// <summary>A Service and Ingress for <paramref name="host"/> to these pods, waited on until the ingress serves it.</summary>
    private async Task ServeAsync(string name, string host, (string Ip, int Port) pod, bool wait = true)
    {
        await cluster.CreateServiceAsync(name, pod);
        await cluster.CreateIngressAsync(ClusterFixture.Ingress(name, host, ("/", "Prefix", name)));
        if (wait)
        {
            await Eventually.Until(() => _client.GetBodyAsync(host, "/"), b => !b.StartsWith("404 ") && !b.StartsWith("503 "), ClusterFixture.Timeout, "the route is served");
        }
    }

    public void Dispose() => _client.Dispose();
}
