using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Limits;
using KubeMesh.ApiServer.Tests.Auth;
using KubeMesh.Client;
using Microsoft.Extensions.DependencyInjection;

namespace KubeMesh.ApiServer.Tests.Limits;

/// <summary>A secured api-server that serves one read-only and one mutating request at a time, and alice, an admin not in system:masters.</summary>
public sealed class InFlightFixture() : SecuredApiServerFixture("inflight")
{
    public const string Admin = "admin-token";
    public const string Alice = "alice-token";

    protected override string AdminToken => Admin;

    protected override IEnumerable<string> TokenLines =>
    [
        $"{Admin},kubernetes-admin,1,\"system:masters\"",
        $"{Alice},alice,2",
    ];

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("ApiServer:MaxRequestsInflight", "1"),
        new("ApiServer:MaxMutatingRequestsInflight", "1"),
    ];

    public MaxInFlightLimit Limit => Api.Services.GetRequiredService<MaxInFlightLimit>();

    protected override async Task SeedAsync()
    {
        using var response = await SendAsync(Admin, HttpMethod.Post, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
            """{"metadata":{"name":"alice-admin"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},"subjects":[{"kind":"User","name":"alice","apiGroup":"rbac.authorization.k8s.io"}]}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}

/// <summary>
/// kube-apiserver's max-inflight limit: a request beyond it is refused at once with 429 and Retry-After (gRPC:
/// RESOURCE_EXHAUSTED with retry pushback) and changes nothing; reads, watches and system:masters are not held up by
/// the writes being served; KubeMesh.Client waits the pushback and tries again. A write whose body is still arriving
/// holds its place, as in kube-apiserver, where the filter runs before the body is read.
/// </summary>
public sealed class MaxInFlightTests(InFlightFixture fixture) : IClassFixture<InFlightFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _name = "m-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Write_BeyondTheMutatingLimit_Is429WithRetryAfter_AndCreatesNothing()
    {
        await using var held = await HoldWriteAsync();

        using var refused = await fixture.SendAsync(InFlightFixture.Alice, HttpMethod.Post, "/api/v1/namespaces/default/configmaps", ConfigMap(_name + "-refused"));
        var status = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(("TooManyRequests", "Too many requests, please try again later.", 1),
            (status["reason"]!.GetValue<string>(), status["message"]!.GetValue<string>(), status["details"]!["retryAfterSeconds"]!.GetValue<int>()));

        Assert.Equal(HttpStatusCode.Created, await held.ReleaseAsync());
        using var gone = await fixture.SendAsync(InFlightFixture.Admin, HttpMethod.Get, $"/api/v1/namespaces/default/configmaps/{_name}-refused");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var after = await fixture.SendAsync(InFlightFixture.Alice, HttpMethod.Post, "/api/v1/namespaces/default/configmaps", ConfigMap(_name + "-after"));
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        Assert.Equal((0, 0), (fixture.Limit.MutatingInFlight, fixture.Limit.ReadOnlyInFlight));
    }

    [Fact]
    public async Task ReadsWatchesAndSystemMasters_AreServedWhileTheWriteLimitIsFull()
    {
        await using var held = await HoldWriteAsync();

        using var read = await fixture.SendAsync(InFlightFixture.Alice, HttpMethod.Get, "/api/v1/namespaces/default/configmaps");
        using var cts = new CancellationTokenSource(Timeout);
        using var watch = await WatchAsync(cts.Token);
        using var admin = await fixture.SendAsync(InFlightFixture.Admin, HttpMethod.Post, "/api/v1/namespaces/default/configmaps", ConfigMap(_name + "-admin"));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, watch.StatusCode);
        Assert.Equal(HttpStatusCode.Created, admin.StatusCode);
        Assert.Equal(HttpStatusCode.Created, await held.ReleaseAsync());
    }

    [Fact]
    public async Task Grpc_BeyondTheLimit_IsResourceExhaustedWithRetryPushback()
    {
        await using var held = await HoldWriteAsync();
        var pods = new PodService.PodServiceClient(fixture.Channel(InFlightFixture.Alice));

        var refused = await Assert.ThrowsAsync<RpcException>(() => pods.CreateAsync(Pod(_name), deadline: DateTime.UtcNow + Timeout).ResponseAsync);

        Assert.Equal((StatusCode.ResourceExhausted, MaxInFlightLimit.TooMany), (refused.StatusCode, refused.Status.Detail));
        Assert.Equal("1000", refused.Trailers.GetValue("grpc-retry-pushback-ms"));
        Assert.Equal(HttpStatusCode.Created, await held.ReleaseAsync());
    }

    [Fact]
    public async Task KubeMeshClient_RefusedForTheLimit_TriesAgainAfterThePushbackAndSucceeds()
    {
        using var channel = ApiServerAddresses.BalancedChannel([new Uri(fixture.Api.Address)], new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("authorization", "Bearer " + InFlightFixture.Alice);
                return Task.CompletedTask;
            })),
            UnsafeUseInsecureChannelCallCredentials = true,
        });
        var pods = new PodService.PodServiceClient(channel);
        var held = await HoldWriteAsync();

        // Refused while the write is held; the retry after the 1 s pushback finds the place free.
        var started = System.Diagnostics.Stopwatch.StartNew();
        var create = pods.CreateAsync(Pod(_name), deadline: DateTime.UtcNow + Timeout).ResponseAsync;
        await Task.Delay(300);
        Assert.Equal(HttpStatusCode.Created, await held.ReleaseAsync());
        await held.DisposeAsync();

        var created = await create;
        Assert.Equal(_name, created.Metadata.Name);
        // Not before the pushback: the first attempt was refused, not held until the place was free.
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(900), $"created after {started.Elapsed}");
    }

    private static string ConfigMap(string name) => $"{{\"metadata\":{{\"name\":\"{name}\"}}}}";

    private static Pod Pod(string name) => new()
    {
        Metadata = new ObjectMeta { Namespace = "default", Name = name },
        Spec = new PodSpec { Containers = { new Container { Name = "app", Image = "nginx:1.14.2" } } },
    };

    private async Task<HttpResponseMessage> WatchAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces/default/configmaps?watch=1");
        return await fixture.Http(InFlightFixture.Alice).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Alice's POST of a ConfigMap whose body stops halfway until released: it holds the one mutating place.</summary>
    private async Task<HeldWrite> HoldWriteAsync()
    {
        var held = new HeldWrite(fixture, _name);
        await Eventually.Until(() => Task.FromResult(fixture.Limit.MutatingInFlight == 1), Timeout, "the held write takes the mutating place");
        return held;
    }

    private sealed class HeldWrite : IAsyncDisposable
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task<HttpResponseMessage> _response;

        public HeldWrite(InFlightFixture fixture, string name)
        {
            var content = new HalfThenRest($"{{\"metadata\":{{\"name\":\"{name}\"}},", "\"data\":{\"k\":\"v\"}}", _release.Task);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            _response = fixture.Http(InFlightFixture.Alice).SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/namespaces/default/configmaps") { Content = content });
        }

        public async Task<HttpStatusCode> ReleaseAsync()
        {
            _release.TrySetResult();
            using var response = await _response.WaitAsync(Timeout);
            return response.StatusCode;
        }

        public async ValueTask DisposeAsync()
        {
            _release.TrySetResult();
            try
            {
                (await _response.WaitAsync(Timeout)).Dispose();
            }
            catch (HttpRequestException)
            {
            }
        }
    }

    /// <summary>A JSON body sent in two parts, the second only once <paramref name="release"/> completes (chunked).</summary>
    private sealed class HalfThenRest(string first, string rest, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(first));
            await stream.FlushAsync();
            await release;
            await stream.WriteAsync(Encoding.UTF8.GetBytes(rest));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
