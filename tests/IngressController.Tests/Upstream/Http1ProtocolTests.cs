using System.Diagnostics;
using System.Net;
using KubeMesh.IngressController.Tests.Infrastructure;
using KubeMesh.IngressController.Upstream;

namespace KubeMesh.IngressController.Tests.Upstream;

/// <summary>
/// The upstream client against a pod that writes HTTP/1.1 by hand: what RFC 9112 allows a server to send, what it
/// forbids, and connections closed at awkward moments.
/// </summary>
public sealed class Http1ProtocolTests : IDisposable
{
    private readonly UpstreamClient _client = new();

    [Fact]
    public async Task InterimResponses_AreSkipped()
    {
        await using var pod = RawHttpBackend.Answering(
            "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal");

        var (response, body) = await _client.GetAsync(pod.Address);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Link"));
        Assert.Equal("final", body);
    }

    [Fact]
    public async Task Chunked_WithExtensionsAndTrailers_BodyWholeTrailersKeptConnectionReused()
    {
        await using var pod = RawHttpBackend.Answering(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n",
            "5;name=value\r\nhello\r\n",
            "7 \r\n, world\r\n0\r\nX-Checksum: abc\r\nContent-Length: 99\r\n\r\n");

        for (var i = 0; i < 2; i++)
        {
            using var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, pod.Address));
            Assert.Equal("hello, world", await response.Content.ReadAsStringAsync());
            Assert.Equal(["abc"], response.TrailingHeaders.GetValues("X-Checksum"));
            Assert.False(response.TrailingHeaders.Contains("Content-Length"));
        }

        Assert.Equal(1, pod.Connections);
    }

    [Fact]
    public async Task BareLineFeeds_AreAccepted()
    {
        await using var pod = RawHttpBackend.Answering("HTTP/1.1 200 OK\nContent-Length: 2\nX-Bare: yes\n\nok");

        var (response, body) = await _client.GetAsync(pod.Address);

        Assert.Equal("ok", body);
        Assert.Equal(["yes"], response.Headers.GetValues("X-Bare"));
    }

    [Fact]
    public async Task ConnectionClose_ConnectionIsNotReused()
    {
        await using var pod = RawHttpBackend.Start(async c =>
        {
            await c.ReadHeadAsync();
            await c.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbye");
            c.Close();
        });

        Assert.Equal("bye", (await _client.GetAsync(pod.Address)).Body);
        Assert.Equal("bye", (await _client.GetAsync(pod.Address)).Body);
        Assert.Equal(2, pod.Connections);
    }

    [Fact]
    public async Task Http10_WithoutFraming_BodyEndsWithTheConnection()
    {
        await using var pod = RawHttpBackend.Start(async c =>
        {
            await c.ReadHeadAsync();
            await c.WriteAsync("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ");
            await c.WriteAsync("the end");
            c.Close();
        });

        var (response, body) = await _client.GetAsync(pod.Address);

        Assert.Equal(HttpVersion.Version10, response.Version);
        Assert.Equal("until the end", body);
    }

    [Fact]
    public async Task Http10_KeepAlive_ConnectionIsReused()
    {
        await using var pod = RawHttpBackend.Answering("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 4\r\n\r\nkept");

        var (first, _) = await _client.GetAsync(pod.Address);
        await _client.GetAsync(pod.Address);

        Assert.False(first.Headers.Contains("Keep-Alive"));
        Assert.False(first.Headers.Contains("Connection"));
        Assert.Equal(1, pod.Connections);
    }

    [Fact]
    public async Task ConnectionHeader_FieldsItNamesAreDropped()
    {
        await using var pod = RawHttpBackend.Answering("HTTP/1.1 200 OK\r\nConnection: X-Hop, keep-alive\r\nX-Hop: secret\r\nX-Kept: 1\r\nContent-Length: 0\r\n\r\n");

        var (response, _) = await _client.GetAsync(pod.Address);

        Assert.False(response.Headers.Contains("X-Hop"));
        Assert.Equal(["1"], response.Headers.GetValues("X-Kept"));
    }

    [Fact]
    public async Task TransferEncodingAndContentLength_ChunkedWinsAndConnectionCloses()
    {
        await using var pod = RawHttpBackend.Answering("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");

        using var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, pod.Address));
        Assert.False(response.Content.Headers.NonValidated.Contains("Content-Length"));
        Assert.Equal("abc", await response.Content.ReadAsStringAsync());
        await _client.GetAsync(pod.Address);

        Assert.Equal(2, pod.Connections);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n")]
    [InlineData("HTTP/2 200\r\n\r\n")]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n")]
    [InlineData("SSH-2.0-OpenSSH\r\n\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n")]
    public async Task InvalidResponseHead_IsAnInvalidResponse(string head)
    {
        await using var pod = RawHttpBackend.Answering(head);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, pod.Address)));

        Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
    }

    [Fact]
    public async Task ResponseHead_LargerThanTheLimit_IsAnInvalidResponse()
    {
        await using var pod = RawHttpBackend.Start(async c =>
        {
            await c.ReadHeadAsync();
            await c.WriteAsync("HTTP/1.1 200 OK\r\n");
            for (var i = 0; i < 100; i++)
            {
                await c.WriteAsync($"X-Filler-{i}: {new string('x', 1000)}\r\n");
            }
        });

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, pod.Address)));

        Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
    }

    [Fact]
    public async Task BodyShorterThanContentLength_ReadingItFails()
    {
        await using var pod = RawHttpBackend.Start(async c =>
        {
            await c.ReadHeadAsync();
            await c.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nonly5");
            c.Close();
        });

        using var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, pod.Address));

        await Assert.ThrowsAsync<HttpRequestException>(() => response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PooledConnection_ClosedByThePod_RequestGoesAgainOnANewOne(bool reset)
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var pod = RawHttpBackend.Start(async c =>
        {
            await c.ReadHeadAsync();
            await c.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            await Task.Delay(50);
            c.Close(reset);
            closed.TrySetResult();
        });
        Assert.Equal("ok", (await _client.GetAsync(pod.Address)).Body);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var (_, body) = await _client.GetAsync(pod.Address);

        Assert.Equal("ok", body);
        Assert.Equal(2, pod.Connections);
    }

    [Fact]
    public async Task PooledConnection_IdleAndClosedByThePod_IsNotUsedForABody()
    {
        using var client = new UpstreamClient(new UpstreamSettings { StaleCheckAfter = TimeSpan.Zero });
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var pod = RawHttpBackend.Start(async c =>
        {
            var head = await c.ReadHeadAsync();
            var body = head!.StartsWith("POST", StringComparison.Ordinal) ? await c.ReadBytesAsync(4) : "";
            await c.WriteAsync($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length + 2}\r\n\r\nok{body}");
            await Task.Delay(50);
            c.Close();
            closed.TrySetResult();
        });
        await client.GetAsync(pod.Address);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, pod.Address) { Content = new ReadOnceContent("data") });

        Assert.Equal("okdata", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ExpectContinue_PodSilent_BodyFollowsAfterTheTimeout()
    {
        using var client = new UpstreamClient(new UpstreamSettings { ExpectContinueTimeout = TimeSpan.FromMilliseconds(200) });
        await using var pod = RawHttpBackend.Start(async c =>
        {
            await c.ReadHeadAsync();
            var body = await c.ReadBytesAsync(4);
            await c.WriteAsync($"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n{body}");
        });
        var request = new HttpRequestMessage(HttpMethod.Post, pod.Address) { Content = new StringContent("late") };
        request.Headers.ExpectContinue = true;
        var timer = Stopwatch.StartNew();

        using var response = await client.SendAsync(request);

        Assert.Equal("late", await response.Content.ReadAsStringAsync());
        Assert.True(timer.Elapsed >= TimeSpan.FromMilliseconds(180), $"the body went after {timer.Elapsed}");
    }

    [Fact]
    public async Task Upgrade_101_GivesTheRawConnectionBothWays()
    {
        string? head = null;
        await using var pod = RawHttpBackend.Start(async c =>
        {
            head = await c.ReadHeadAsync();
            await c.WriteAsync("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nhello ");
            await c.WriteAsync(await c.ReadBytesAsync(4));
        });
        var request = new HttpRequestMessage(HttpMethod.Get, pod.Address);
        request.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        request.Headers.TryAddWithoutValidation("Upgrade", "echo");

        using var response = await _client.SendAsync(request);
        var stream = await response.Content.ReadAsStreamAsync();
        await stream.WriteAsync("ping"u8.ToArray());
        var received = new byte[10];
        var read = 0;
        while (read < received.Length)
        {
            read += await stream.ReadAsync(received.AsMemory(read));
        }

        Assert.Contains("Connection: Upgrade\r\n", head);
        Assert.Contains("Upgrade: echo\r\n", head);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, response.StatusCode);
        Assert.Equal(["Upgrade"], response.Headers.GetValues("Connection"));
        Assert.Equal("hello ping", System.Text.Encoding.ASCII.GetString(received));
    }

    [Fact]
    public async Task HeaderBytes_OutsideAscii_PassThroughAsLatin1()
    {
        string? seen = null;
        await using var pod = RawHttpBackend.Start(async c =>
        {
            seen = await c.ReadHeadAsync();
            await c.WriteAsync("HTTP/1.1 200 OK\r\nX-Reply: na\u00efve\r\nContent-Length: 0\r\n\r\n");
        });
        var request = new HttpRequestMessage(HttpMethod.Get, pod.Address);
        request.Headers.TryAddWithoutValidation("X-Name", "caf\u00e9");

        using var response = await _client.SendAsync(request);

        Assert.Equal(["na\u00efve"], response.Headers.GetValues("X-Reply"));
        Assert.Contains("X-Name: caf\u00e9\r\n", seen);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>A body that can be sent once, as a client's streamed body.</summary>
    private sealed class ReadOnceContent(string text) : HttpContent
    {
        private int _sent;

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            Interlocked.Exchange(ref _sent, 1) == 0
                ? stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text)).AsTask()
                : throw new InvalidOperationException("the body was already sent");

        protected override bool TryComputeLength(out long length)
        {
            length = text.Length;
            return true;
        }
    }
}
