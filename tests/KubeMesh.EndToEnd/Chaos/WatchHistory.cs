using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Client;

namespace KubeMesh.EndToEnd.Chaos;

/// <summary>
/// One watcher of a kind in a namespace that lives through every fault as an informer does: after a break it
/// resumes from the last resourceVersion it saw, and lists again only when that has expired. It checks the history
/// it is given: resourceVersions strictly increase over the whole history, across reconnects and replicas (so
/// nothing repeats and nothing comes out of order), and it keeps what it saw so that a run can tell whether anything
/// is missing. Each event also goes to <paramref name="observe"/>, for invariants over the objects.
/// </summary>
public sealed class WatchHistory<T> : IAsyncDisposable
    where T : class, IMessage<T>, new()
{
    private readonly ResourceClient<T> _client;
    private readonly string _namespace;
    private readonly Action<WatchEventType, T>? _observe;
    private readonly List<string> _violations = [];
    private readonly HashSet<string> _added = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _listed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;
    private long _last;

    private WatchHistory(ResourceClient<T> client, string ns, Action<WatchEventType, T>? observe)
    {
        _client = client;
        _namespace = ns;
        _observe = observe;
    }

    public int Events { get; private set; }

    public int Reconnects { get; private set; }

    public int Relists { get; private set; }

    /// <summary>Out-of-order or repeated events: must stay empty.</summary>
    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_violations)
            {
                return [.. _violations];
            }
        }
    }

    /// <summary>Whether an object of that name was ever seen added (or present in a list).</summary>
    public bool Saw(string name)
    {
        lock (_violations)
        {
            return _added.Contains(name);
        }
    }

    /// <summary>Lists, then watches in the background; returns once the first list is in.</summary>
    public static async Task<WatchHistory<T>> StartAsync(KubeMeshClient client, string ns, Action<WatchEventType, T>? observe = null)
    {
        var history = new WatchHistory<T>(client.For<T>(), ns, observe);
        history._loop = Task.Run(() => history.RunAsync(history._stop.Token), CancellationToken.None);
        await history._listed.Task.WaitAsync(TimeSpan.FromMinutes(3));
        return history;
    }

    /// <summary>Waits until the history has reached the resourceVersion, so that it holds every change up to there.</summary>
    public Task CaughtUpAsync(string resourceVersion, TimeSpan timeout) =>
        Eventually.Until(() => Interlocked.Read(ref _last) >= Parse(resourceVersion), timeout, $"the {typeof(T).Name} watch reaches resourceVersion {resourceVersion}");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var resourceVersion = "";
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion.Length == 0)
                {
                    resourceVersion = await ListAsync(cancellationToken);
                }

                await foreach (var e in _client.WatchAsync(new WatchRequest { Namespace = _namespace, ResourceVersion = resourceVersion, AllowWatchBookmarks = true }, cancellationToken))
                {
                    var version = ResourceKinds.For(e.Object.Descriptor).Metadata(e.Object).ResourceVersion;
                    Observe(e.Type, e.Object, version);
                    resourceVersion = version;
                }

                Reconnects++;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.OutOfRange)
            {
                // Expired: as an informer, list again. Not a violation, but counted.
                Relists++;
                resourceVersion = "";
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // The replica went away or the store is down: resume from the last resourceVersion seen.
                Reconnects++;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
        }
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var list = await _client.ListAsync(new ListRequest { Namespace = _namespace }, cancellationToken);
        lock (_violations)
        {
            foreach (var item in list.Items)
            {
                _added.Add(ResourceKinds.For(item.Descriptor).Metadata(item).Name);
            }

            var listed = Parse(list.ResourceVersion);
            if (listed < _last)
            {
                _violations.Add($"a list at resourceVersion {listed} went back before {_last}, already seen");
            }

            Interlocked.Exchange(ref _last, Math.Max(_last, listed));
        }

        _listed.TrySetResult();
        return list.ResourceVersion;
    }

    private void Observe(WatchEventType type, T obj, string resourceVersion)
    {
        var version = Parse(resourceVersion);
        var name = ResourceKinds.For(obj.Descriptor).Metadata(obj).Name;
        lock (_violations)
        {
            Events++;
            if (type == WatchEventType.Bookmark ? version < _last : version <= _last)
            {
                _violations.Add($"{type} {name} at resourceVersion {version} after {_last}: {(version == _last ? "repeated" : "out of order")}");
            }

            if (type == WatchEventType.Added)
            {
                _added.Add(name);
            }

            Interlocked.Exchange(ref _last, Math.Max(_last, version));
        }

        if (type != WatchEventType.Bookmark)
        {
            _observe?.Invoke(type, obj);
        }
    }

    private static long Parse(string resourceVersion) => long.Parse(resourceVersion, CultureInfo.InvariantCulture);
}
