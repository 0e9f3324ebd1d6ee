using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.EndToEnd;

/// <summary>
/// Follows a namespace's pods through one watch, in the api-server's order of events: which pods were created and
/// removed in what order, and after every event how many live pods there were and how many of them were ready.
/// Polling could see two changes at once and not tell their order.
/// </summary>
internal sealed class PodWatch : IAsyncDisposable
{
    private readonly Dictionary<string, Pod> _live = [];
    private readonly List<string> _created = [];
    private readonly List<string> _removed = [];
    private readonly List<(int Live, int Ready, string Event)> _states = [];
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly BackgroundLoop _loop;

    private PodWatch(KubeMeshClient client, string ns)
    {
        _loop = new BackgroundLoop(ct => RunAsync(client.For<Pod>(), ns, ct));
    }

    /// <summary>Starts watching; returns once the watch has listed what is there now.</summary>
    public static async Task<PodWatch> StartAsync(KubeMeshClient client, string ns)
    {
        var watch = new PodWatch(client, ns);
        await watch._started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return watch;
    }

    public IReadOnlyList<string> Created => Snapshot(_created);

    public IReadOnlyList<string> Removed => Snapshot(_removed);

    public IReadOnlyList<(int Live, int Ready, string Event)> States => Snapshot(_states);

    public static bool IsReady(Pod pod) =>
        pod.Status?.Phase == "Running" && pod.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True");

    public ValueTask DisposeAsync() => _loop.DisposeAsync();

    private List<T> Snapshot<T>(List<T> list)
    {
        lock (_live)
        {
            return [.. list];
        }
    }

    private async Task RunAsync(ResourceClient<Pod> pods, string ns, CancellationToken cancellationToken)
    {
        try
        {
            var list = await pods.ListAsync(new ListRequest { Namespace = ns }, cancellationToken);
            lock (_live)
            {
                foreach (var pod in list.Items.Where(p => p.Metadata.DeletionTimestamp is null))
                {
                    _live[pod.Metadata.Name] = pod;
                }
            }

            _started.TrySetResult();
            await foreach (var e in pods.WatchAsync(new WatchRequest { Namespace = ns, ResourceVersion = list.ResourceVersion }, cancellationToken))
            {
                if (e.Type != WatchEventType.Bookmark)
                {
                    Observe(e.Type, e.Object);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            _started.TrySetException(e);
        }
    }

    private void Observe(WatchEventType type, Pod pod)
    {
        var name = pod.Metadata.Name;
        lock (_live)
        {
            if (type == WatchEventType.Deleted || pod.Metadata.DeletionTimestamp is not null)
            {
                if (_live.Remove(name))
                {
                    _removed.Add(name);
                }
            }
            else
            {
                if (type == WatchEventType.Added)
                {
                    _created.Add(name);
                }

                _live[name] = pod;
            }

            _states.Add((_live.Count, _live.Values.Count(IsReady), $"{type} {name}"));
        }
    }
}
