using System.Globalization;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;

namespace KubeMesh.ApiServer.Tests.Contract;

/// <summary>Watch resumes from a resourceVersion and delivers every later change exactly once, in order.</summary>
public abstract class WatchTests(ApiServerFixture fixture) : ApiTestBase(fixture)
{
    [SkippableFact]
    public async Task Watch_FromResourceVersion_DeliversEveryLaterChangeInOrder()
    {
        var before = await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "before"), deadline: Deadline);
        using var watch = WatchConfigMaps(new WatchRequest { Namespace = Ns, ResourceVersion = before.Metadata.ResourceVersion });

        var created = await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "w"), deadline: Deadline);
        var change = created.Clone();
        change.Data["key"] = "changed";
        var updated = await Api.ConfigMaps.UpdateAsync(change, deadline: Deadline);
        var deleted = await Api.ConfigMaps.DeleteAsync(new DeleteRequest { Namespace = Ns, Name = "w" }, deadline: Deadline);

        var events = await watch.NextAsync(3);
        Assert.Equal(["ADDED", "MODIFIED", "DELETED"], events.Select(e => e.Type));
        Assert.Equal(created.Metadata.ResourceVersion, events[0].Object.Metadata.ResourceVersion);
        Assert.Equal(updated.Metadata.ResourceVersion, events[1].Object.Metadata.ResourceVersion);
        Assert.Equal("changed", events[1].Object.Data["key"]);
        Assert.Equal("changed", events[2].Object.Data["key"]);
        Assert.True(Revision(events[2].Object.Metadata.ResourceVersion) > Revision(updated.Metadata.ResourceVersion));
        Assert.Equal(deleted.Metadata.Uid, events[2].Object.Metadata.Uid);
        // Nothing else: a marker written now is the very next event.
        await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "marker"), deadline: Deadline);
        Assert.Equal("ADDED marker", Describe(await watch.NextAsync()));
    }

    [SkippableFact]
    public async Task Watch_WithoutResourceVersion_StartsWithCurrentStateAsAdded()
    {
        await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "one"), deadline: Deadline);
        await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "two"), deadline: Deadline);
        using var watch = WatchConfigMaps(new WatchRequest { Namespace = Ns });

        var initial = await watch.NextAsync(2);
        await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "three"), deadline: Deadline);
        var later = await watch.NextAsync();

        Assert.Equal(["ADDED one", "ADDED two"], initial.Select(e => $"{e.Type} {e.Object.Metadata.Name}"));
        Assert.Equal("ADDED three", $"{later.Type} {later.Object.Metadata.Name}");
    }

    [SkippableFact]
    public async Task Watch_ResumedAfterDisconnects_HasNoGapsAndNoDuplicates()
    {
        const int writes = 60;
        var created = await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "stream", ("n", "0")), deadline: Deadline);
        var start = created.Metadata.ResourceVersion;
        var written = new List<string>();
        var writer = Task.Run(async () =>
        {
            var current = created;
            for (var i = 1; i <= writes; i++)
            {
                current.Metadata.Labels["n"] = i.ToString(CultureInfo.InvariantCulture);
                current = await Api.ConfigMaps.UpdateAsync(current, deadline: Deadline);
                written.Add(current.Metadata.ResourceVersion);
                await Task.Delay(3);
            }
        });

        var seen = new List<ConfigMapWatchEvent>();
        var resumeFrom = start;
        var reconnects = 0;
        while (seen.Count < writes)
        {
            // Read a few events, then drop the connection mid-stream and resume from the last one seen.
            using var watch = WatchConfigMaps(new WatchRequest { Namespace = Ns, ResourceVersion = resumeFrom });
            var take = Math.Min(7 + reconnects, writes - seen.Count);
            foreach (var e in await watch.NextAsync(take))
            {
                seen.Add(e);
                resumeFrom = e.Object.Metadata.ResourceVersion;
            }

            reconnects++;
        }

        await writer.WaitAsync(CallTimeout);
        using (var tail = WatchConfigMaps(new WatchRequest { Namespace = Ns, ResourceVersion = resumeFrom }))
        {
            // Nothing else: a marker written now is the very next event.
            await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "marker"), deadline: Deadline);
            Assert.Equal("ADDED marker", Describe(await tail.NextAsync()));
        }

        Assert.True(reconnects >= 5, $"only {reconnects} connections were used");
        Assert.All(seen, e => Assert.Equal("MODIFIED", e.Type));
        Assert.Equal(written, seen.Select(e => e.Object.Metadata.ResourceVersion));
        Assert.Equal(Enumerable.Range(1, writes).Select(i => i.ToString(CultureInfo.InvariantCulture)), seen.Select(e => e.Object.Metadata.Labels["n"]));
    }

    [SkippableFact]
    public async Task Watch_ObjectStopsOrStartsMatchingLabelSelector_ArrivesAsDeletedOrAdded()
    {
        var created = await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "mover", ("color", "blue")), deadline: Deadline);
        using var watch = WatchConfigMaps(new WatchRequest { Namespace = Ns, LabelSelector = "color=blue", ResourceVersion = created.Metadata.ResourceVersion });

        created.Metadata.Labels["color"] = "red";
        var red = await Api.ConfigMaps.UpdateAsync(created, deadline: Deadline);
        red.Data["key"] = "changed while not matching";
        red = await Api.ConfigMaps.UpdateAsync(red, deadline: Deadline);
        red.Metadata.Labels["color"] = "blue";
        var blue = await Api.ConfigMaps.UpdateAsync(red, deadline: Deadline);
        blue.Data["key"] = "changed while matching";
        await Api.ConfigMaps.UpdateAsync(blue, deadline: Deadline);

        var events = await watch.NextAsync(3);
        Assert.Equal(["DELETED red", "ADDED blue", "MODIFIED blue"], events.Select(e => $"{e.Type} {e.Object.Metadata.Labels["color"]}"));
        // Nothing else: a marker written now is the very next event.
        await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "marker", ("color", "blue")), deadline: Deadline);
        Assert.Equal("ADDED marker", Describe(await watch.NextAsync()));
    }

    [SkippableFact]
    public async Task Watch_ResourceVersionOlderThanHistory_IsOutOfRange()
    {
        // A second api-server on the same store with its own keys and a five-event history per kind.
        await using var small = await Fixture.StartApiServerAsync(new Dictionary<string, string?>
        {
            ["Store:KeyPrefix"] = "/history-" + Ns,
            ["Store:HistoryLimit"] = "5",
        });
        var first = await small.ConfigMaps.CreateAsync(NewConfigMap("default", "h0"), deadline: Deadline);
        using (var live = new WatchStream<ConfigMapWatchEvent>(small.ConfigMaps.Watch(new WatchRequest { ResourceVersion = first.Metadata.ResourceVersion })))
        {
            // A watch that keeps up (here: in lockstep with the writes) never falls out of the window.
            for (var i = 1; i <= 12; i++)
            {
                await small.ConfigMaps.CreateAsync(NewConfigMap("default", $"h{i}"), deadline: Deadline);
                Assert.Equal($"h{i}", (await live.NextAsync()).Object.Metadata.Name);
            }
        }

        var list = await small.ConfigMaps.ListAsync(new ListRequest { Namespace = "default" }, deadline: Deadline);
        using var expired = new WatchStream<ConfigMapWatchEvent>(small.ConfigMaps.Watch(new WatchRequest { ResourceVersion = first.Metadata.ResourceVersion }));
        var failure = await Assert.ThrowsAsync<RpcException>(() => expired.NextAsync());
        Assert.Equal(StatusCode.OutOfRange, failure.StatusCode);
        Assert.Contains("too old resource version", failure.Status.Detail, StringComparison.Ordinal);

        // The informer's answer to "expired": re-list and watch from the list's resourceVersion.
        using var relisted = new WatchStream<ConfigMapWatchEvent>(small.ConfigMaps.Watch(new WatchRequest { ResourceVersion = list.Metadata.ResourceVersion }));
        await small.ConfigMaps.CreateAsync(NewConfigMap("default", "after"), deadline: Deadline);
        Assert.Equal("after", (await relisted.NextAsync()).Object.Metadata.Name);
    }

    private static long Revision(string resourceVersion) => long.Parse(resourceVersion, CultureInfo.InvariantCulture);

    private static string Describe(ConfigMapWatchEvent e) => $"{e.Type} {e.Object.Metadata.Name}";
}

public sealed class RedisWatchTests(ApiServerFixture fixture) : WatchTests(fixture), IClassFixture<ApiServerFixture>;

public sealed class GarnetWatchTests(GarnetFixture fixture) : WatchTests(fixture), IClassFixture<GarnetFixture>;
