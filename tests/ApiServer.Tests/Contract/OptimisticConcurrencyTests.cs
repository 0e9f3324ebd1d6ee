using System.Globalization;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;

namespace KubeMesh.ApiServer.Tests.Contract;

/// <summary>Writes are compare-and-swap on metadata.resourceVersion, as etcd transactions make them in Kubernetes.</summary>
public abstract class OptimisticConcurrencyTests(ApiServerFixture fixture) : ApiTestBase(fixture)
{
    [SkippableFact]
    public async Task Update_StaleResourceVersion_IsAbortedAndChangesNothing()
    {
        var created = await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "cas"), deadline: Deadline);
        var first = created.Clone();
        first.Data["key"] = "first";
        var updated = await Api.ConfigMaps.UpdateAsync(first, deadline: Deadline);

        var stale = created.Clone();
        stale.Data["key"] = "stale";
        var failure = await FailureOfAsync(() => Api.ConfigMaps.UpdateAsync(stale, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.Aborted, failure.StatusCode);
        var stored = await Api.ConfigMaps.GetAsync(new GetRequest { Namespace = Ns, Name = "cas" }, deadline: Deadline);
        Assert.Equal("first", stored.Data["key"]);
        Assert.Equal(updated.Metadata.ResourceVersion, stored.Metadata.ResourceVersion);
    }

    [SkippableFact]
    public async Task Update_AcceptedWrite_ReturnsNewerResourceVersion()
    {
        var created = await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "rv"), deadline: Deadline);
        var change = created.Clone();
        change.Data["key"] = "changed";

        var updated = await Api.ConfigMaps.UpdateAsync(change, deadline: Deadline);

        Assert.True(long.Parse(updated.Metadata.ResourceVersion, CultureInfo.InvariantCulture) > long.Parse(created.Metadata.ResourceVersion, CultureInfo.InvariantCulture));
    }

    [SkippableFact]
    public async Task Update_ConcurrentRetryOnConflictWriters_LoseNoIncrement()
    {
        const int writers = 8;
        const int incrementsEach = 25;
        await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "counter", ("count", "0")), deadline: Deadline);
        var conflicts = 0;

        async Task IncrementAsync()
        {
            // client-go's RetryOnConflict: re-read, re-apply the change, write against the fresh resourceVersion.
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var current = await Api.ConfigMaps.GetAsync(new GetRequest { Namespace = Ns, Name = "counter" }, deadline: Deadline);
                var next = int.Parse(current.Metadata.Labels["count"], CultureInfo.InvariantCulture) + 1;
                current.Metadata.Labels["count"] = next.ToString(CultureInfo.InvariantCulture);
                try
                {
                    await Api.ConfigMaps.UpdateAsync(current, deadline: Deadline);
                    return;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.Aborted)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }

            throw new InvalidOperationException("an increment kept conflicting for 1000 attempts");
        }

        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < incrementsEach; i++)
            {
                await IncrementAsync();
            }
        })));

        var final = await Api.ConfigMaps.GetAsync(new GetRequest { Namespace = Ns, Name = "counter" }, deadline: Deadline);
        Assert.Equal((writers * incrementsEach).ToString(CultureInfo.InvariantCulture), final.Metadata.Labels["count"]);
        Assert.True(conflicts > 0, "eight writers on one object never conflicted: the test did not exercise compare-and-swap");
    }

    [SkippableFact]
    public async Task Create_ExistingName_IsAlreadyExistsAndKeepsTheFirst()
    {
        var first = await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "twice"), deadline: Deadline);
        var second = NewConfigMap(Ns, "twice");
        second.Data["key"] = "second";

        Assert.Equal(StatusCode.AlreadyExists, await CodeOfAsync(() => Api.ConfigMaps.CreateAsync(second, deadline: Deadline).ResponseAsync));

        var stored = await Api.ConfigMaps.GetAsync(new GetRequest { Namespace = Ns, Name = "twice" }, deadline: Deadline);
        Assert.Equal(first.Metadata.Uid, stored.Metadata.Uid);
        Assert.Equal("value", stored.Data["key"]);
    }

    [SkippableFact]
    public async Task Delete_StaleResourceVersionPrecondition_IsAbortedAndKeepsTheObject()
    {
        var created = await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "guarded"), deadline: Deadline);
        var change = created.Clone();
        change.Data["key"] = "changed";
        await Api.ConfigMaps.UpdateAsync(change, deadline: Deadline);

        var request = new DeleteRequest
        {
            Namespace = Ns,
            Name = "guarded",
            Preconditions = new Preconditions { ResourceVersion = created.Metadata.ResourceVersion },
        };
        Assert.Equal(StatusCode.Aborted, await CodeOfAsync(() => Api.ConfigMaps.DeleteAsync(request, deadline: Deadline).ResponseAsync));

        var stored = await Api.ConfigMaps.GetAsync(new GetRequest { Namespace = Ns, Name = "guarded" }, deadline: Deadline);
        Assert.Equal("changed", stored.Data["key"]);
    }
}

public sealed class RedisOptimisticConcurrencyTests(ApiServerFixture fixture) : OptimisticConcurrencyTests(fixture), IClassFixture<ApiServerFixture>;

public sealed class GarnetOptimisticConcurrencyTests(GarnetFixture fixture) : OptimisticConcurrencyTests(fixture), IClassFixture<GarnetFixture>;
