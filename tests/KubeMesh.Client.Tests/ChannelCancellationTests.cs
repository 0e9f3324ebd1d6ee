using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.Client.Tests;

/// <summary>
/// A call the channel cancels on its own (a replica went away while the call was being set up) reaches the caller as
/// UNAVAILABLE, to be retried; only the caller's own cancellation is an OperationCanceledException.
/// </summary>
public sealed class ChannelCancellationTests
{
    [Fact]
    public async Task Watch_EndedByTheChannel_IsUnavailable()
    {
        var pods = new KubeMeshClient(new CancellingInvoker()).For<Pod>();

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in pods.WatchAsync(new WatchRequest { Namespace = "default" }))
            {
            }
        });

        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
    }

    [Fact]
    public async Task Get_EndedByTheChannel_IsUnavailable()
    {
        var pods = new KubeMeshClient(new CancellingInvoker()).For<Pod>();

        var e = await Assert.ThrowsAsync<RpcException>(() => pods.GetAsync("default", "a"));

        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
    }

    [Fact]
    public async Task Watch_CancelledByTheCaller_IsOperationCanceled()
    {
        var pods = new KubeMeshClient(new CancellingInvoker()).For<Pod>();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in pods.WatchAsync(new WatchRequest { Namespace = "default" }, cancelled.Token))
            {
            }
        });
    }

    /// <summary>Every call ends as grpc-dotnet ends one whose connection attempt it cancelled: a TaskCanceledException.</summary>
    private sealed class CancellingInvoker : CallInvoker
    {
        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw new TaskCanceledException();

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            new(Task.FromException<TResponse>(new TaskCanceledException()), Task.FromResult(new Metadata()), () => Status.DefaultCancelled, () => [], () => { });

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            new(new CancelledStream<TResponse>(), Task.FromResult(new Metadata()), () => Status.DefaultCancelled, () => [], () => { });

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw new NotSupportedException();

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw new NotSupportedException();
    }

    private sealed class CancelledStream<T> : IAsyncStreamReader<T>
    {
        public T Current => throw new InvalidOperationException("no message");

        public Task<bool> MoveNext(CancellationToken cancellationToken) =>
            cancellationToken.IsCancellationRequested ? Task.FromCanceled<bool>(cancellationToken) : Task.FromException<bool>(new TaskCanceledException());
    }
}
