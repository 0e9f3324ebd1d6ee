using System.Threading.Channels;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.Client.Tests.Fakes;

/// <summary>
/// In-memory pods with a revision counter and a change history, as the api-server keeps them, plus the knobs tests
/// need: compact the history (so old revisions expire), end or fail open watches, refuse new watches.
/// </summary>
public sealed class FakePodStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Pod> _pods = [];
    private readonly List<PodWatchEvent> _history = [];
    private readonly List<Channel<PodWatchEvent>> _watchers = [];
    private long _revision = 100;
    private long _compactedThrough;

    public int ListCalls { get; private set; }

    public List<WatchRequest> WatchRequests { get; } = [];

    /// <summary>When set, new watches fail with this status (e.g. Unavailable) before sending anything.</summary>
    public StatusCode? RejectWatchesWith { get; set; }

    public long Revision
    {
        get
        {
            lock (_lock)
            {
                return _revision;
            }
        }
    }

    public Pod Create(Pod pod)
    {
        lock (_lock)
        {
            var key = MetaNamespaceKey.For(pod.Metadata);
            if (_pods.ContainsKey(key))
            {
                throw new RpcException(new Status(StatusCode.AlreadyExists, $"pods \"{pod.Metadata.Name}\" already exists"));
            }

            return Write("ADDED", key, pod);
        }
    }

    public Pod Update(Pod pod)
    {
        lock (_lock)
        {
            var key = MetaNamespaceKey.For(pod.Metadata);
            if (!_pods.TryGetValue(key, out var current))
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"pods \"{pod.Metadata.Name}\" not found"));
            }

            if (pod.Metadata.ResourceVersion != current.Metadata.ResourceVersion)
            {
                throw new RpcException(new Status(StatusCode.Aborted, "the object has been modified; please apply your changes to the latest version and try again"));
            }

            return Write("MODIFIED", key, pod);
        }
    }

    public Pod Delete(string @namespace, string name)
    {
        lock (_lock)
        {
            var key = MetaNamespaceKey.For(@namespace, name);
            if (!_pods.Remove(key, out var current))
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"pods \"{name}\" not found"));
            }

            var deleted = current.Clone();
            deleted.Metadata.ResourceVersion = (++_revision).ToString();
            Publish(new PodWatchEvent { Type = "DELETED", Object = deleted });
            return deleted;
        }
    }

    public Pod? Get(string @namespace, string name)
    {
        lock (_lock)
        {
            return _pods.GetValueOrDefault(MetaNamespaceKey.For(@namespace, name))?.Clone();
        }
    }

    public PodList List(Func<Pod, bool> filter)
    {
        lock (_lock)
        {
            ListCalls++;
            var list = new PodList { Metadata = new ListMeta { ResourceVersion = _revision.ToString() } };
            list.Items.AddRange(_pods.Values.Where(filter).Select(p => p.Clone()));
            return list;
        }
    }

    /// <summary>Forgets every change so far: watches from any earlier revision now fail with OUT_OF_RANGE.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _compactedThrough = _revision;
            _history.Clear();
        }
    }

    /// <summary>Ends every open watch stream, as a server restart or a proxy timeout would.</summary>
    public void EndWatches(Exception? error = null)
    {
        lock (_lock)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete(error);
            }

            _watchers.Clear();
        }
    }

    public int OpenWatches
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>Registers a watch: the events after the request's revision, then every later one.</summary>
    public ChannelReader<PodWatchEvent> Watch(WatchRequest request)
    {
        lock (_lock)
        {
            WatchRequests.Add(request.Clone());
            if (RejectWatchesWith is { } code)
            {
                throw new RpcException(new Status(code, "watches are refused for this test"));
            }

            var channel = Channel.CreateUnbounded<PodWatchEvent>();
            if (request.ResourceVersion is "" or "0")
            {
                foreach (var pod in _pods.Values)
                {
                    channel.Writer.TryWrite(new PodWatchEvent { Type = "ADDED", Object = pod.Clone() });
                }
            }
            else
            {
                var from = long.Parse(request.ResourceVersion);
                if (from < _compactedThrough)
                {
                    throw new RpcException(new Status(StatusCode.OutOfRange, $"too old resource version: {from} ({_compactedThrough})"));
                }

                foreach (var e in _history.Where(e => long.Parse(e.Object.Metadata.ResourceVersion) > from))
                {
                    channel.Writer.TryWrite(e.Clone());
                }
            }

            _watchers.Add(channel);
            return channel.Reader;
        }
    }

    public void Unwatch(ChannelReader<PodWatchEvent> reader)
    {
        lock (_lock)
        {
            _watchers.RemoveAll(c => c.Reader == reader);
        }
    }

    private Pod Write(string type, string key, Pod pod)
    {
        var stored = pod.Clone();
        stored.Metadata.ResourceVersion = (++_revision).ToString();
        _pods[key] = stored;
        Publish(new PodWatchEvent { Type = type, Object = stored.Clone() });
        return stored.Clone();
    }

    private void Publish(PodWatchEvent e)
    {
        _history.Add(e);
        foreach (var watcher in _watchers)
        {
            watcher.Writer.TryWrite(e.Clone());
        }
    }
}
