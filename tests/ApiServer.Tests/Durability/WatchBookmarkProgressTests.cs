using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.ApiServer.Tests.Durability;

/// <summary>
/// A watch's bookmarks follow the store's revision, as etcd's progress notifications make kube-apiserver's do: a
/// watcher of one kind reaches the resourceVersion of a list taken after other kinds were written, without another
/// write of its own kind.
/// </summary>
public sealed class WatchBookmarkProgressTests
{
    [SkippableFact]
    public async Task Bookmark_AfterWritesOfAnotherKind_CarriesTheStoresRevision()
    {
        await using var store = new RedisServer { AppendOnly = true };
        await store.StartAsync();
        await using var api = await ApiServerHost.StartAsync(store.ConnectionString);
        var configMap = await api.ConfigMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Namespace = "default", Name = "quiet" } });
        using var watch = api.ConfigMaps.Watch(
            new WatchRequest { Namespace = "default", ResourceVersion = configMap.Metadata.ResourceVersion, AllowWatchBookmarks = true },
            deadline: DateTime.UtcNow.AddSeconds(60));

        // The kind's watch cache is running (it starts with the first watch, at the store's revision then): the next
        // ConfigMap arrives through it.
        var second = await api.ConfigMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Namespace = "default", Name = "second" } });
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(("ADDED", second.Metadata.ResourceVersion), (watch.ResponseStream.Current.Type, watch.ResponseStream.Current.Object.Metadata.ResourceVersion));

        // Only other kinds change from here on; a list's resourceVersion is the store's.
        await api.Namespaces.CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = "other-" + Guid.NewGuid().ToString("N")[..6] } });
        var listed = long.Parse((await api.ConfigMaps.ListAsync(new ListRequest { Namespace = "default" })).Metadata.ResourceVersion);
        Assert.True(listed > long.Parse(configMap.Metadata.ResourceVersion));

        // Bookmarks come after 5 s without events; before the fix every one carried the ConfigMap's own revision.
        long reached = 0;
        while (reached < listed && await watch.ResponseStream.MoveNext())
        {
            var e = watch.ResponseStream.Current;
            Assert.Equal("BOOKMARK", e.Type);
            reached = long.Parse(e.Object.Metadata.ResourceVersion);
        }

        Assert.True(reached >= listed, $"the watch's bookmarks stopped at {reached}, before the list's {listed}");
    }
}
