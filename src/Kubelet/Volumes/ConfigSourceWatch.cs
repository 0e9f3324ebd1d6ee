using KubeMesh.Api.Core.V1;
using KubeMesh.Client;

namespace KubeMesh.Kubelet.Volumes;

/// <summary>
/// Follows ConfigMaps and Secrets for the pod managers of this process (the kubelet's watch-based configmap and
/// secret managers) and tells each subscriber which one changed, so mounted files follow within seconds. One watch
/// per kind serves every node agent of the process: a real kubelet has one, a hollow-node process hundreds.
/// </summary>
public sealed class ConfigSourceWatch
{
    private readonly Lock _lock = new();
    private readonly SharedInformerFactory _informers;
    private Action<string, string, string>[] _subscribers = [];
    private bool _started;

    public ConfigSourceWatch(SharedInformerFactory informers)
    {
        _informers = informers;
    }

    /// <summary>Calls <paramref name="changed"/> with (kind, namespace, name) for every change until disposed; starts the watches on first use.</summary>
    public IDisposable Subscribe(Action<string, string, string> changed)
    {
        lock (_lock)
        {
            _subscribers = [.. _subscribers, changed];
            if (!_started)
            {
                _started = true;
                _informers.GetInformer<ConfigMap>().AddEventHandler(onAdd: Changed, onUpdate: (_, c) => Changed(c), onDelete: Changed);
                _informers.GetInformer<Secret>().AddEventHandler(onAdd: Changed, onUpdate: (_, s) => Changed(s), onDelete: Changed);
                _informers.Start();
            }
        }

        return new Subscription(this, changed);
    }

    private void Changed(ConfigMap configMap) => Notify("ConfigMap", configMap.Metadata.Namespace, configMap.Metadata.Name);

    private void Changed(Secret secret) => Notify("Secret", secret.Metadata.Namespace, secret.Metadata.Name);

    private void Notify(string kind, string @namespace, string name)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber(kind, @namespace, name);
        }
    }

    private void Unsubscribe(Action<string, string, string> changed)
    {
        lock (_lock)
        {
            _subscribers = [.. _subscribers.Where(s => s != changed)];
        }
    }

    private sealed class Subscription(ConfigSourceWatch watch, Action<string, string, string> changed) : IDisposable
    {
        public void Dispose() => watch.Unsubscribe(changed);
    }
}
