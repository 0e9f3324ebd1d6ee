using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Resources;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KubeMesh.ControllerManager.Tests.Unit;

/// <summary>
/// A controller's world in memory, as client-go's controller unit tests build it: a fake clientset, a shared
/// informer factory that is never started (the test fills its caches, which the controller's listers read) and a
/// fake clock. The test then calls SyncAsync and looks at the calls the fake clientset recorded.
/// </summary>
public sealed class ControllerTestContext
{
    public const string Namespace = "shop";

    public ControllerTestContext(IDictionary<string, string?>? settings = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero));
        Api = new FakeClientset(Time);
        Client = new KubeMeshClient(Api);
        Informers = new SharedInformerFactory(Client, time: Time);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        Context = new ControllerContext(Client, Informers, Time, NullLoggerFactory.Instance, configuration);
    }

    public FakeTimeProvider Time { get; }

    public FakeClientset Api { get; }

    public KubeMeshClient Client { get; }

    public SharedInformerFactory Informers { get; }

    public ControllerContext Context { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Stores the object in the api-server and in the informer's cache, as if both had seen it; returns it with uid and resourceVersion.</summary>
    public T Add<T>(T obj, InformerOptions? options = null)
        where T : class, IMessage<T>, new()
    {
        var kind = ResourceKinds.For(obj.Descriptor);
        var meta = kind.Metadata(obj);
        meta.CreationTimestamp ??= Timestamp.FromDateTimeOffset(Now);
        if (kind.HasSpec && meta.Generation == 0)
        {
            meta.Generation = 1;
        }

        Api.Seed(obj);
        Informers.GetInformer<T>(options).Cache.Add(obj.Clone());
        return obj;
    }

    /// <summary>The informer catches up: its cache becomes what the api-server holds now.</summary>
    public void Observe<T>(InformerOptions? options = null)
        where T : class, IMessage<T>, new() =>
        Informers.GetInformer<T>(options).Cache.Replace(Api.List<T>(options?.Namespace is { Length: > 0 } ns ? ns : null));

    /// <summary>The writes since the last call, as "verb resource[/subresource] [ns/name]", events left out.</summary>
    public IReadOnlyList<string> TakeWrites()
    {
        var writes = Api.Writes.Select(a => a.ToString()).ToList();
        Api.ClearActions();
        return writes;
    }
}
