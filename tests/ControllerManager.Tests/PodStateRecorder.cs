using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.ControllerManager.Tests;

/// <summary>
/// Watches a namespace's pods and records, after every event, how many exist and how many are ready, and each
/// pod's creation in the order the watch delivered them (with when it was seen), which polling cannot tell apart.
/// </summary>
public sealed class PodStateRecorder : IAsyncDisposable
{
    private readonly Dictionary<string, Pod> _pods = [];
    private readonly List<(int Total, int Ready)> _states = [];
    private readonly List<(string Name, DateTimeOffset Seen)> _added = [];
    private readonly BackgroundLoop _loop;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PodStateRecorder(KubeMeshClient client, string ns)
    {
        _loop = new BackgroundLoop(ct => RunAsync(client.For<Pod>(), ns, ct));
    }

    public IReadOnlyList<(int Total, int Ready)> States
    {
        get
        {
            lock (_states)
            {
                return [.. _states];
            }
        }
    }

    public IReadOnlyList<(string Name, DateTimeOffset Seen)> Added
    {
        get
        {
            lock (_states)
            {
                return [.. _added];
            }
        }
    }

    public Task Started => _started.Task.WaitAsync(TimeSpan.FromSeconds(10));

    public ValueTask DisposeAsync() => _loop.DisposeAsync();

    private async Task RunAsync(ResourceClient<Pod> pods, string ns, CancellationToken cancellationToken)
    {
        try
        {
            var list = await pods.ListAsync(new ListRequest { Namespace = ns }, cancellationToken);
            foreach (var pod in list.Items.Where(p => p.Metadata.DeletionTimestamp is null))
            {
                _pods[pod.Metadata.Name] = pod;
            }

            _started.TrySetResult();
            await foreach (var e in pods.WatchAsync(new WatchRequest { Namespace = ns, ResourceVersion = list.ResourceVersion }, cancellationToken))
            {
                if (e.Type == WatchEventType.Deleted || e.Object.Metadata.DeletionTimestamp is not null)
                {
                    _pods.Remove(e.Object.Metadata.Name);
                }
                else if (e.Type != WatchEventType.Bookmark)
                {
                    _pods[e.Object.Metadata.Name] = e.Object;
                }

                lock (_states)
                {
                    if (e.Type == WatchEventType.Added)
                    {
                        _added.Add((e.Object.Metadata.Name, DateTimeOffset.UtcNow));
                    }

                    _states.Add((_pods.Count, _pods.Values.Count(p => p.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True"))));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
