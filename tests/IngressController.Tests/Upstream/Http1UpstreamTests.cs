using System.Diagnostics;
using System.Net;
using System.Text;
using KubeMesh.IngressController.Tests.Infrastructure;
using KubeMesh.IngressController.Upstream;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace KubeMesh.IngressController.Tests.Upstream;

/// <summary>
/// Runs alone: the upstream client starts its span and sends its trace context whenever a listener samples it, and the
/// tracing tests of this assembly listen to every KubeMesh source while they run.
/// </summary>
[CollectionDefinition(nameof(Http1UpstreamTests), DisableParallelization = true)]
public sealed class Http1UpstreamCollection;

/// <summary>The controller's HTTP/1.1 upstream client against Kestrel pods: framing both ways, keep-alive, 100-continue, cancellation.</summary>
[Collection(nameof(Http1UpstreamTests))]
public sealed class Http1UpstreamTests : IDisposable
{
    private readonly UpstreamClient _client = new();

    [Fact]
    public async Task Get_ManyInSequence_ReuseOneConnection()
    {
        await using var pod = await KestrelBackend.StartAsync(context => context.Response.WriteAsync("pod " + context.Request.Path));

        for (var i = 0; i < 20; i++)
        {
            var (response, body) = await _client.GetAsync($"{pod.Address}/n{i}?q={i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"pod /n{i}", body);
        }

        Assert.Equal(1, pod.Connections);
    }

    [Fact]
    public async Task Get_OverDotNetSockets_WhenEpollIsOff_ReuseOneConnectionAndLargeBodyArrives()
    {
        // The path taken with IngressController:EpollTransport=false, and for pods named by DNS.
        using var client = new UpstreamClient(new UpstreamSettings { Epoll = false });
        var large = new string('x', 300_000);
        await using var pod = await KestrelBackend.StartAsync(context =>
            context.Response.WriteAsync(context.Request.Path == "/large" ? large : "pod " + context.Request.Path));

        for (var i = 0; i < 5; i++)
        {
            var (response, body) = await client.GetAsync($"{pod.Address}/n{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"pod /n{i}", body);
        }

        var (_, largeBody) = await client.GetAsync($"{pod.Address}/large");
        Assert.Equal(large, largeBody);
        Assert.Equal(1, pod.Connections);
    }

    [Fact]
    public async Task Get_ChunkedResponseWrittenInParts_ArrivesWholeAndConnectionIsReused()
    {
        await using var pod = await KestrelBackend.StartAsync(async context =>
        {
            for (var i = 0; i < 3; i++)
            {
                await context.Response.WriteAsync($"part{i};");
                await context.Response.Body.FlushAsync();
            }
        });

        using var first = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, pod.Address));
        Assert.Null(first.Content.Headers.ContentLength);
        var body = await first.Content.ReadAsStringAsync();
        var (_, again) = await _client.GetAsync(pod.Address);

        Assert.Equal("part0;part1;part2;", body);
        Assert.Equal(body, again);
        Assert.Equal(1, pod.Connections);
    }

    [Fact]
    public async Task Get_LargeBody_StreamsWhole()
    {
        var payload = RandomBytes(3 * 1024 * 1024 + 17);
        await using var pod = await KestrelBackend.StartAsync(context =>
        {
            context.Response.ContentLength = payload.Length;
            return context.Response.Body.WriteAsync(payload).AsTask();
        });

        using var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, pod.Address));
        var received = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(payload.Length, response.Content.Headers.ContentLength);
        Assert.Equal(payload, received);
    }

    [Fact]
    public async Task Post_KnownLength_SentWithContentLength()
    {
        await using var pod = await KestrelBackend.StartAsync(Echo);

        using var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Post, pod.Address)
        {
            Content = new StringContent("name=value", Encoding.UTF8, "application/x-www-form-urlencoded"),
        });

        Assert.Equal("length=10 te= type=application/x-www-form-urlencoded; charset=utf-8 body=name=value", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_UnknownLength_SentChunkedInPieces()
    {
        await using var pod = await KestrelBackend.StartAsync(async context =>
        {
            var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            await context.Response.WriteAsync($"te={context.Request.Headers.TransferEncoding} bytes={body.Length} sum={body.ToArray().Sum(b => b)}");
        });
        var payload = RandomBytes(200_000);

        using var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Put, pod.Address)
        {
            Content = new StreamContent(new UnseekableStream(payload), 7000),
        });

        Assert.Equal($"te=chunked bytes={payload.Length} sum={payload.Sum(b => b)}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_WithoutContent_SaysContentLengthZero()
    {
        await using var pod = await KestrelBackend.StartAsync(Echo);

        var (_, body) = await _client.GetAsync(pod.Address, HttpMethod.Post);

        Assert.Equal("length=0 te= type= body=", body);
    }

    [Fact]
    public async Task Head_LengthWithoutBody_KeepsConnection()
    {
        await using var pod = await KestrelBackend.StartAsync(context =>
        {
            context.Response.ContentLength = 1234;
            return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(new byte[1234]).AsTask();
        });

        var (head, headBody) = await _client.GetAsync(pod.Address, HttpMethod.Head);
        var (_, getBody) = await _client.GetAsync(pod.Address);

        Assert.Equal(1234, head.Content.Headers.ContentLength);
        Assert.Equal("", headBody);
        Assert.Equal(1234, getBody.Length);
        Assert.Equal(1, pod.Connections);
    }

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    public async Task Get_StatusWithoutBody_KeepsConnection(int status)
    {
        await using var pod = await KestrelBackend.StartAsync(context =>
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        });

        for (var i = 0; i < 3; i++)
        {
            var (response, body) = await _client.GetAsync(pod.Address);
            Assert.Equal(status, (int)response.StatusCode);
            Assert.Equal("", body);
        }

        Assert.Equal(1, pod.Connections);
    }

    [Fact]
    public async Task ExpectContinue_PodReadsBody_BodyFollowsItsContinue()
    {
        await using var pod = await KestrelBackend.StartAsync(Echo);
        // A client that would wait 10 minutes for a 100 Continue before sending the body anyway: the exchange completes
        // within the test's deadline only if the body followed the pod's 100 Continue.
        using var client = new UpstreamClient(new UpstreamSettings { ExpectContinueTimeout = TimeSpan.FromMinutes(10) });
        var request = new HttpRequestMessage(HttpMethod.Post, pod.Address) { Content = new StringContent("awaited") };
        request.Headers.ExpectContinue = true;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        using var response = await client.SendAsync(request, deadline.Token);

        Assert.Equal("length=7 te= type=text/plain; charset=utf-8 body=awaited", await response.Content.ReadAsStringAsync(deadline.Token));
    }

    [Fact]
    public async Task ExpectContinue_PodAnswersFirst_BodyIsNeverSentAndConnectionCloses()
    {
        await using var pod = await KestrelBackend.StartAsync(context =>
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return context.Response.WriteAsync("too large");
        });
        var content = new WatchedContent(System.Text.Encoding.UTF8.GetBytes("never read"));
        var request = new HttpRequestMessage(HttpMethod.Post, pod.Address) { Content = content };
        request.Headers.ExpectContinue = true;

        using var response = await _client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var (_, next) = await _client.GetAsync(pod.Address);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("too large", body);
        Assert.False(content.Sent);
        Assert.Equal("too large", next);
        Assert.Equal(2, pod.Connections);
    }

    [Fact]
    public async Task Cancel_WhileAwaitingResponse_EndsAtOnceAndClosesConnection()
    {
        await using var pod = await KestrelBackend.StartAsync(async context =>
        {
            if (context.Request.Path == "/slow")
            {
                await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
            }

            await context.Response.WriteAsync("done");
        });
        await _client.GetAsync(pod.Address);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var timer = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, pod.Address + "/slow"), cancel.Token));
        var canceledAfter = timer.Elapsed;
        var (_, body) = await _client.GetAsync(pod.Address);

        Assert.True(canceledAfter < TimeSpan.FromSeconds(5), $"cancellation took {canceledAfter}");
        Assert.Equal("done", body);
        Assert.Equal(2, pod.Connections);
    }

    [Fact]
    public async Task Connect_NothingListening_IsAConnectionError()
    {
        var port = FreePort.Get();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/")));

        Assert.Equal(HttpRequestError.ConnectionError, error.HttpRequestError);
        Assert.Contains($"127.0.0.1:{port}", error.Message);
    }

    [Fact]
    public async Task RequestHeaders_PassedOnExceptThisHopsOwn()
    {
        await using var pod = await KestrelBackend.StartAsync(context => context.Response.WriteAsync(string.Join('\n',
            context.Request.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase).Select(h => $"{h.Key}={h.Value}"))));
        var request = new HttpRequestMessage(HttpMethod.Get, pod.Address + "/");
        request.Headers.Host = "app.example.com";
        request.Headers.TryAddWithoutValidation("X-Multi", ["a", "b"]);
        request.Headers.TryAddWithoutValidation("Cookie", ["c1=1", "c2=2"]);
        request.Headers.TryAddWithoutValidation("Keep-Alive", "timeout=5");
        request.Headers.TryAddWithoutValidation("Proxy-Connection", "keep-alive");
        request.Headers.TryAddWithoutValidation("TE", "trailers");
        request.Headers.TryAddWithoutValidation("Connection", "close");

        using var response = await _client.SendAsync(request);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');

        Assert.Equal(["Cookie=c1=1; c2=2", "Host=app.example.com", "X-Multi=a, b"], lines);
    }

    [Fact]
    public async Task RequestHeader_WithLineBreak_IsRefusedBeforeAnythingIsSent()
    {
        await using var pod = await KestrelBackend.StartAsync(context => context.Response.WriteAsync("reached"));
        var request = new HttpRequestMessage(HttpMethod.Get, pod.Address);
        request.Headers.TryAddWithoutValidation("X-Injected", "a\r\nX-Evil: 1");

        await Assert.ThrowsAsync<HttpRequestException>(() => _client.SendAsync(request));
        var (_, body) = await _client.GetAsync(pod.Address);

        Assert.Equal("reached", body);
    }

    [Fact]
    public async Task Trace_CurrentActivity_ReplacesTheClientsContext()
    {
        await using var pod = await KestrelBackend.StartAsync(context => context.Response.WriteAsync(context.Request.Headers["traceparent"].ToString()));
        using var activity = new Activity("server").SetIdFormat(ActivityIdFormat.W3C).Start();
        var request = new HttpRequestMessage(HttpMethod.Get, pod.Address);
        request.Headers.TryAddWithoutValidation("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

        var body = await (await _client.SendAsync(request)).Content.ReadAsStringAsync();

        Assert.Equal(activity.Id, body);
    }

    private static async Task Echo(HttpContext context)
    {
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        await context.Response.WriteAsync(
            $"length={context.Request.ContentLength} te={context.Request.Headers.TransferEncoding} type={context.Request.ContentType} body={body}");
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    public void Dispose() => _client.Dispose();
}
