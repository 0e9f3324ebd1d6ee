using System.Collections.Concurrent;
using Google.Protobuf;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.CertificateController.Tests.Infrastructure;

/// <summary>
/// Every version a watch delivers of a namespace's objects of one kind, from a list taken when it starts: a state that
/// lasts only moments (a revision renewed seconds after it was issued) is still seen, however late a poll would come.
/// </summary>
public sealed class History<T> : IAsyncDisposable
    where T : class, IMessage<T>, new()
{
    private readonly ConcurrentQueue<T> _seen = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _watching = Task.CompletedTask;
    private Exception? _failure;

    private History()
    {
    }

    public static async Task<History<T>> StartAsync(KubeMeshClient client, string ns)
    {
        var resources = client.For<T>();
        var list = await resources.ListAsync(new ListRequest { Namespace = ns });
        var history = new History<T>();
        foreach (var item in list.Items)
        {
            history._seen.Enqueue(item);
        }

        history._watching = Task.Run(() => history.WatchAsync(resources, ns, list.ResourceVersion));
        return history;
    }

    /// <summary>The first version seen that meets the condition, waiting for it up to the timeout.</summary>
    public Task<T> WaitForAsync(Func<T, bool> condition, string what, TimeSpan timeout) =>
        Eventually.Returns(
            () => Task.FromResult(_seen.FirstOrDefault(condition) ?? throw new InvalidOperationException($"not yet {what}")),
            timeout,
            () => $"{typeof(T).Name}: no version {what} within {timeout.TotalSeconds} s ({_seen.Count} seen{(_failure is null ? "" : ", the watch failed: " + _failure.Message)})");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watching;
        _stop.Dispose();
    }

    private async Task WatchAsync(ResourceClient<T> resources, string ns, string resourceVersion)
    {
        try
        {
            await foreach (var e in resources.WatchAsync(new WatchRequest { Namespace = ns, ResourceVersion = resourceVersion }, _stop.Token))
            {
                if (e.Type is WatchEventType.Added or WatchEventType.Modified)
                {
                    _seen.Enqueue(e.Object);
                }
            }
        }
        catch (Exception e) when (_stop.IsCancellationRequested && e is OperationCanceledException or Grpc.Core.RpcException)
        {
        }
        catch (Exception e)
        {
            _failure = e;
        }
    }
}
