using Google.Protobuf;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Kubelet.Volumes;

/// <summary>
/// Follows the ConfigMaps and Secrets that the pods of this process mount, as the kubelet's watch-based configmap
/// and secret managers do: one watch per referenced object, narrowed by the field selector metadata.name=NAME in its
/// namespace, started when the first pod needing it is admitted and stopped when the last one is gone. The node
/// authorizer lets a node read only the objects its own pods use, and only this way: a list or watch of every
/// ConfigMap or Secret is refused. Subscribers are told which object changed, so mounted files follow within
/// seconds. One instance serves every node agent of the process (a real kubelet has one, a hollow-node process
/// hundreds); two pods using the same object share its watch.
/// </summary>
public sealed class ConfigSourceWatch(KubeMeshClient client, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ConfigSource, SourceWatch> _watches = [];
    private readonly CancellationTokenSource _stopping = new();
    private Action<string, string, string>[] _subscribers = [];

    /// <summary>The objects watched now and how many pods hold each, for tests and diagnostics.</summary>
    public IReadOnlyDictionary<ConfigSource, int> Watched
    {
        get
        {
            lock (_lock)
            {
                return _watches.ToDictionary(w => w.Key, w => w.Value.Pods);
            }
        }
    }

    /// <summary>Calls <paramref name="changed"/> with (kind, namespace, name) for every change of a watched object until disposed.</summary>
    public IDisposable Subscribe(Action<string, string, string> changed)
    {
        lock (_lock)
        {
            _subscribers = [.. _subscribers, changed];
        }

        return new Release(() =>
        {
            lock (_lock)
            {
                _subscribers = [.. _subscribers.Where(s => s != changed)];
            }
        });
    }

    /// <summary>
    /// Watches the ConfigMaps and Secrets <paramref name="pod"/> mounts until the returned handle is disposed
    /// (the kubelet's RegisterPod / UnregisterPod).
    /// </summary>
    public IDisposable Register(Pod pod)
    {
        var sources = VolumeManager.Sources(pod)
            .Select(s => new ConfigSource(s.Kind, pod.Metadata.Namespace, s.Name))
            .Distinct()
            .ToArray();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            foreach (var source in sources)
            {
                if (!_watches.TryGetValue(source, out var watch))
                {
                    watch = Start(source);
                    _watches.Add(source, watch);
                }

                watch.Pods++;
            }
        }

        return new Release(() => Unregister(sources));
    }

    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_lock)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            _stopping.Cancel();
            running = [.. _watches.Values.Select(w => w.Running)];
            _watches.Clear();
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private void Unregister(ConfigSource[] sources)
    {
        lock (_lock)
        {
            foreach (var source in sources)
            {
                if (_watches.TryGetValue(source, out var watch) && --watch.Pods == 0)
                {
                    _watches.Remove(source);
                    watch.Stop();
                }
            }
        }
    }

    private SourceWatch Start(ConfigSource source)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var options = new InformerOptions { Namespace = source.Namespace, FieldSelector = "metadata.name=" + source.Name };
        var running = source.Kind switch
        {
            "ConfigMap" => Run<ConfigMap>(source, options, stop.Token),
            "Secret" => Run<Secret>(source, options, stop.Token),
            _ => throw new ArgumentException($"kind {source.Kind} is neither ConfigMap nor Secret", nameof(source)),
        };
        return new SourceWatch(stop, running);
    }

    private async Task Run<T>(ConfigSource source, InformerOptions options, CancellationToken cancellationToken)
        where T : class, IMessage<T>, new()
    {
        var informer = new Informer<T>(client.For<T>(), options, loggers.CreateLogger<Informer<T>>());
        informer.AddEventHandler(onAdd: _ => Notify(source), onUpdate: (_, _) => Notify(source), onDelete: _ => Notify(source));
        try
        {
            await informer.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Notify(ConfigSource source)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber(source.Kind, source.Namespace, source.Name);
        }
    }

    private sealed class SourceWatch(CancellationTokenSource stop, Task running)
    {
        public int Pods { get; set; }

        public Task Running => running;

        public void Stop()
        {
            stop.Cancel();
            stop.Dispose();
        }
    }

    private sealed class Release(Action release) : IDisposable
    {
        private Action? _release = release;

        public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
    }
}

/// <summary>A ConfigMap or Secret (<see cref="Kind"/>) a pod on this node mounts.</summary>
public readonly record struct ConfigSource(string Kind, string Namespace, string Name);
