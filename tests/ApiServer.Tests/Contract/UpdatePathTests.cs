using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;

namespace KubeMesh.ApiServer.Tests.Contract;

/// <summary>
/// The read-modify-write verbs (update, status, binding): a write that changes nothing stores nothing and tells no
/// watcher; what a write returns is what a read of it returns; and each is compare-and-swap on the revision it read.
/// </summary>
public abstract class UpdatePathTests(ApiServerFixture fixture) : ApiTestBase(fixture)
{
    [SkippableFact]
    public async Task Update_Unchanged_StoresNoRevisionAndSendsNoWatchEvent()
    {
        var created = await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "same", ("app", "web")), deadline: Deadline);
        using var watch = WatchConfigMaps(new WatchRequest { Namespace = Ns, ResourceVersion = created.Metadata.ResourceVersion });

        var same = await Api.ConfigMaps.UpdateAsync(created, deadline: Deadline);
        var unconditional = created.Clone();
        unconditional.Metadata.ResourceVersion = "";
        var sameAgain = await Api.ConfigMaps.UpdateAsync(unconditional, deadline: Deadline);

        Assert.Equal(created, same);
        Assert.Equal(created, sameAgain);
        var changed = created.Clone();
        changed.Data["key"] = "changed";
        await Api.ConfigMaps.UpdateAsync(changed, deadline: Deadline);
        // The no-op writes left no event behind: the change is the very next one.
        var next = await watch.NextAsync();
        Assert.Equal(("MODIFIED", "changed"), (next.Type, next.Object.Data["key"]));
    }

    [SkippableFact]
    public async Task UpdateStatus_Unchanged_StoresNoRevision()
    {
        var created = await Api.Pods.CreateAsync(NewPod(Ns, "steady"), deadline: Deadline);
        var running = created.Clone();
        running.Status = new PodStatus { Phase = "Running", PodIp = "10.1.2.3" };
        var first = await Api.Pods.UpdateStatusAsync(running, deadline: Deadline);

        var again = await Api.Pods.UpdateStatusAsync(first, deadline: Deadline);

        Assert.NotEqual(created.Metadata.ResourceVersion, first.Metadata.ResourceVersion);
        Assert.Equal(first, again);
    }

    [SkippableFact]
    public async Task Writes_ReturnWhatAReadOfThemReturns()
    {
        var created = await Api.Pods.CreateAsync(NewPod(Ns, "echo", ("app", "web")), deadline: Deadline);
        var relabelled = created.Clone();
        relabelled.Metadata.Labels["tier"] = "front";
        relabelled.ApiVersion = "";
        relabelled.Kind = "";
        var updated = await Api.Pods.UpdateAsync(relabelled, deadline: Deadline);
        Assert.Equal(updated, await GetPodAsync("echo"));

        var bound = await Api.Pods.BindAsync(new Binding { Metadata = new ObjectMeta { Namespace = Ns, Name = "echo" }, Target = new ObjectReference { Kind = "Node", Name = "node-a" } }, deadline: Deadline);
        Assert.Equal(bound, await GetPodAsync("echo"));
        Assert.Equal(("node-a", "v1", "Pod"), (bound.Spec.NodeName, bound.ApiVersion, bound.Kind));
        Assert.Contains(bound.Status.Conditions, c => c.Type == "PodScheduled" && c.Status == "True");

        var running = bound.Clone();
        running.Status.Phase = "Running";
        var status = await Api.Pods.UpdateStatusAsync(running, deadline: Deadline);
        Assert.Equal(status, await GetPodAsync("echo"));
        Assert.Equal(("Running", "node-a"), (status.Status.Phase, status.Spec.NodeName));
    }

    [SkippableFact]
    public async Task StatusWrite_OnTheRevisionBeforeABinding_IsAbortedAndKeepsTheBinding()
    {
        var created = await Api.Pods.CreateAsync(NewPod(Ns, "raced"), deadline: Deadline);
        var bound = await Api.Pods.BindAsync(new Binding { Metadata = new ObjectMeta { Namespace = Ns, Name = "raced" }, Target = new ObjectReference { Name = "node-b" } }, deadline: Deadline);
        var stale = created.Clone();
        stale.Status = new PodStatus { Phase = "Failed" };

        var failure = await FailureOfAsync(() => Api.Pods.UpdateStatusAsync(stale, deadline: Deadline).ResponseAsync);
        var rebind = await FailureOfAsync(() => Api.Pods.BindAsync(new Binding { Metadata = new ObjectMeta { Namespace = Ns, Name = "raced" }, Target = new ObjectReference { Name = "node-c" } }, deadline: Deadline).ResponseAsync);

        Assert.Equal((StatusCode.Aborted, StatusCode.Aborted), (failure.StatusCode, rebind.StatusCode));
        Assert.Equal(bound, await GetPodAsync("raced"));
    }

    private Task<Pod> GetPodAsync(string name) => Api.Pods.GetAsync(new GetRequest { Namespace = Ns, Name = name }, deadline: Deadline).ResponseAsync;
}

public sealed class RedisUpdatePathTests(ApiServerFixture fixture) : UpdatePathTests(fixture), IClassFixture<ApiServerFixture>;

public sealed class GarnetUpdatePathTests(GarnetFixture fixture) : UpdatePathTests(fixture), IClassFixture<GarnetFixture>;
