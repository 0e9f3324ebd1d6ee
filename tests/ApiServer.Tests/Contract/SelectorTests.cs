using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;

namespace KubeMesh.ApiServer.Tests.Contract;

/// <summary>List and Watch narrow by namespace, label selector (equality and set-based) and field selector.</summary>
public abstract class SelectorTests(ApiServerFixture fixture) : ApiTestBase(fixture)
{
    [SkippableTheory]
    [InlineData("app=web", "a,b")]
    [InlineData("app==web", "a,b")]
    [InlineData("app!=web", "c,d")]
    [InlineData("env in (prod,staging)", "a,c")]
    [InlineData("env notin (prod)", "b,d")]
    [InlineData("tier", "a,b")]
    [InlineData("!tier", "c,d")]
    [InlineData("app=web,env=prod", "a")]
    [InlineData("app in (web,db),!tier", "c")]
    [InlineData("app=nothing", "")]
    public async Task List_LabelSelector_ReturnsOnlyMatchingObjects(string selector, string expected)
    {
        await CreateLabelledPodsAsync();

        var list = await Api.Pods.ListAsync(new ListRequest { Namespace = Ns, LabelSelector = selector }, deadline: Deadline);

        Assert.Equal(Names(expected), list.Items.Select(p => p.Metadata.Name));
    }

    [SkippableTheory]
    [InlineData("metadata.name=a", "a")]
    [InlineData("metadata.name!=a", "b,c,d")]
    [InlineData("spec.nodeName=node-1", "b")]
    [InlineData("spec.nodeName=", "a,c,d")]
    [InlineData("status.phase=Running", "c")]
    [InlineData("status.phase=Pending,metadata.name!=d", "a,b")]
    public async Task List_FieldSelector_ReturnsOnlyMatchingObjects(string selector, string expected)
    {
        await CreateLabelledPodsAsync();
        await Api.Pods.BindAsync(new Binding { Metadata = new ObjectMeta { Namespace = Ns, Name = "b" }, Target = new ObjectReference { Kind = "Node", Name = "node-1" } }, deadline: Deadline);
        var c = await Api.Pods.GetAsync(new GetRequest { Namespace = Ns, Name = "c" }, deadline: Deadline);
        c.Status.Phase = "Running";
        await Api.Pods.UpdateStatusAsync(c, deadline: Deadline);

        var list = await Api.Pods.ListAsync(new ListRequest { Namespace = Ns, FieldSelector = selector }, deadline: Deadline);

        Assert.Equal(Names(expected), list.Items.Select(p => p.Metadata.Name));
    }

    [SkippableFact]
    public async Task List_AllNamespaces_ReturnsObjectsOfEveryNamespace()
    {
        var other = await CreateNamespaceAsync();
        var marker = ("suite", Ns);
        await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "here", marker), deadline: Deadline);
        await Api.ConfigMaps.CreateAsync(NewConfigMap(other, "there", marker), deadline: Deadline);

        var all = await Api.ConfigMaps.ListAsync(new ListRequest { LabelSelector = $"suite={Ns}" }, deadline: Deadline);
        var one = await Api.ConfigMaps.ListAsync(new ListRequest { Namespace = other }, deadline: Deadline);
        var byField = await Api.ConfigMaps.ListAsync(new ListRequest { FieldSelector = $"metadata.namespace={other}" }, deadline: Deadline);

        Assert.Equal(
            new[] { $"{Ns}/here", $"{other}/there" }.Order(StringComparer.Ordinal),
            all.Items.Select(m => $"{m.Metadata.Namespace}/{m.Metadata.Name}").Order(StringComparer.Ordinal));
        Assert.Equal(["there"], one.Items.Select(m => m.Metadata.Name));
        Assert.Equal(["there"], byField.Items.Select(m => m.Metadata.Name));
    }

    [SkippableTheory]
    [InlineData("", "app in (web")]
    [InlineData("", "=web")]
    [InlineData("spec.unknownField=x", "")]
    [InlineData("metadata.name", "")]
    public async Task List_MalformedSelector_IsInvalidArgument(string fieldSelector, string labelSelector)
    {
        var request = new ListRequest { Namespace = Ns, FieldSelector = fieldSelector, LabelSelector = labelSelector };

        Assert.Equal(StatusCode.InvalidArgument, await CodeOfAsync(() => Api.Pods.ListAsync(request, deadline: Deadline).ResponseAsync));
    }

    [SkippableFact]
    public async Task Watch_NamespaceAndSelectors_DeliverOnlyMatchingEvents()
    {
        var other = await CreateNamespaceAsync();
        var list = await Api.Pods.ListAsync(new ListRequest { Namespace = Ns }, deadline: Deadline);
        using var watch = WatchPods(new WatchRequest
        {
            Namespace = Ns,
            LabelSelector = "app in (web),env!=dev",
            FieldSelector = "metadata.name!=skipped",
            ResourceVersion = list.Metadata.ResourceVersion,
        });

        await Api.Pods.CreateAsync(NewPod(other, "elsewhere", ("app", "web")), deadline: Deadline);
        await Api.Pods.CreateAsync(NewPod(Ns, "dev", ("app", "web"), ("env", "dev")), deadline: Deadline);
        await Api.Pods.CreateAsync(NewPod(Ns, "skipped", ("app", "web")), deadline: Deadline);
        await Api.Pods.CreateAsync(NewPod(Ns, "db", ("app", "db")), deadline: Deadline);
        await Api.Pods.CreateAsync(NewPod(Ns, "wanted", ("app", "web"), ("env", "prod")), deadline: Deadline);
        await Api.Pods.CreateAsync(NewPod(Ns, "last", ("app", "web")), deadline: Deadline);

        var events = await watch.NextAsync(2);
        Assert.Equal(["ADDED wanted", "ADDED last"], events.Select(e => $"{e.Type} {e.Object.Metadata.Name}"));
        // Nothing else: a matching pod created now is the very next event.
        await Api.Pods.CreateAsync(NewPod(Ns, "marker", ("app", "web")), deadline: Deadline);
        var next = await watch.NextAsync();
        Assert.Equal("ADDED marker", $"{next.Type} {next.Object.Metadata.Name}");
    }

    [SkippableFact]
    public async Task Watch_AllNamespacesWithFieldSelector_FollowsPhaseAcrossNamespaces()
    {
        var other = await CreateNamespaceAsync();
        var list = await Api.Pods.ListAsync(new ListRequest(), deadline: Deadline);
        using var watch = WatchPods(new WatchRequest
        {
            LabelSelector = $"suite={Ns}",
            FieldSelector = "status.phase=Running",
            ResourceVersion = list.Metadata.ResourceVersion,
        });

        foreach (var ns in new[] { Ns, other })
        {
            var pod = await Api.Pods.CreateAsync(NewPod(ns, "p", ("suite", Ns)), deadline: Deadline);
            pod.Status.Phase = "Running";
            await Api.Pods.UpdateStatusAsync(pod, deadline: Deadline);
        }

        var events = await watch.NextAsync(2);
        Assert.Equal([$"ADDED {Ns}/p", $"ADDED {other}/p"], events.Select(e => $"{e.Type} {e.Object.Metadata.Namespace}/{e.Object.Metadata.Name}"));
    }

    private static string[] Names(string csv) => csv.Length == 0 ? [] : csv.Split(',');

    private async Task CreateLabelledPodsAsync()
    {
        await Api.Pods.CreateAsync(NewPod(Ns, "a", ("app", "web"), ("tier", "front"), ("env", "prod")), deadline: Deadline);
        await Api.Pods.CreateAsync(NewPod(Ns, "b", ("app", "web"), ("tier", "back"), ("env", "dev")), deadline: Deadline);
        await Api.Pods.CreateAsync(NewPod(Ns, "c", ("app", "db"), ("env", "prod")), deadline: Deadline);
        await Api.Pods.CreateAsync(NewPod(Ns, "d"), deadline: Deadline);
    }
}

public sealed class RedisSelectorTests(ApiServerFixture fixture) : SelectorTests(fixture), IClassFixture<ApiServerFixture>;

public sealed class GarnetSelectorTests(GarnetFixture fixture) : SelectorTests(fixture), IClassFixture<GarnetFixture>;
