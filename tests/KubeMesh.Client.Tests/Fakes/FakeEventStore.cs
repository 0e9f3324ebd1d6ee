using System.Collections.Concurrent;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;

namespace KubeMesh.Client.Tests.Fakes;

/// <summary>Events by namespace/name with compare-and-swap updates, and a record of every write.</summary>
public sealed class FakeEventStore
{
    private readonly Lock _lock = new();
    private long _revision = 1;

    public ConcurrentDictionary<string, Event> Items { get; } = new();

    public List<string> Writes { get; } = [];

    public Event Create(Event ev)
    {
        lock (_lock)
        {
            var key = MetaNamespaceKey.For(ev.Metadata);
            if (Items.ContainsKey(key))
            {
                throw new RpcException(new Status(StatusCode.AlreadyExists, $"events \"{ev.Metadata.Name}\" already exists"));
            }

            Writes.Add("create " + key);
            return Store(key, ev);
        }
    }

    public Event Update(Event ev)
    {
        lock (_lock)
        {
            var key = MetaNamespaceKey.For(ev.Metadata);
            if (!Items.TryGetValue(key, out var current))
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"events \"{ev.Metadata.Name}\" not found"));
            }

            if (current.Metadata.ResourceVersion != ev.Metadata.ResourceVersion)
            {
                throw new RpcException(new Status(StatusCode.Aborted, "the object has been modified"));
            }

            Writes.Add("update " + key);
            return Store(key, ev);
        }
    }

    private Event Store(string key, Event ev)
    {
        var stored = ev.Clone();
        stored.Metadata.ResourceVersion = (++_revision).ToString();
        Items[key] = stored;
        return stored.Clone();
    }
}
