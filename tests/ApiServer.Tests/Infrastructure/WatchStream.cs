using Grpc.Core;

namespace KubeMesh.ApiServer.Tests.Infrastructure;

/// <summary>
/// Reads a Watch call with a timeout per event. A read that times out stays pending for the next call
/// instead of being cancelled, because cancelling a gRPC read ends the whole call.
/// </summary>
public sealed class WatchStream<TEvent>(AsyncServerStreamingCall<TEvent> call) : IDisposable
    where TEvent : class
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);
    private Task<bool>? _pending;

    public async Task<TEvent?> TryNextAsync(TimeSpan wait)
    {
        _pending ??= call.ResponseStream.MoveNext(CancellationToken.None);
        if (await Task.WhenAny(_pending, Task.Delay(wait)) != _pending)
        {
            return null;
        }

        var more = await _pending;
        _pending = null;
        return more ? call.ResponseStream.Current : throw new InvalidOperationException("the watch stream ended");
    }

    public async Task<TEvent> NextAsync(TimeSpan? wait = null) =>
        await TryNextAsync(wait ?? DefaultWait) ?? throw new TimeoutException($"no watch event within {(wait ?? DefaultWait).TotalSeconds} s");

    public async Task<IReadOnlyList<TEvent>> NextAsync(int count, TimeSpan? wait = null)
    {
        var events = new List<TEvent>(count);
        while (events.Count < count)
        {
            events.Add(await NextAsync(wait));
        }

        return events;
    }

    /// <summary>Disconnects: the server sees the call cancelled, as when a client goes away mid-stream.</summary>
    public void Dispose() => call.Dispose();
}
