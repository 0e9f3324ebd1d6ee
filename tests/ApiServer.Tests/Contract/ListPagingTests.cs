using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;

namespace KubeMesh.ApiServer.Tests.Contract;

/// <summary>
/// List with limit and continue: pages in key order whose tokens carry the first page's revision, so the pages
/// together are the list as it was then, whatever is written between them (etcd's paginated range reads).
/// </summary>
public abstract class ListPagingTests(ApiServerFixture fixture) : ApiTestBase(fixture)
{
    [SkippableFact]
    public async Task List_WithLimit_PagesThroughEveryObjectInKeyOrder()
    {
        await CreateMapsAsync("e", "a", "d", "b", "c");

        var pages = await ListPagesAsync(new ListRequest { Namespace = Ns, Limit = 2 });

        Assert.Equal(["a,b", "c,d", "e"], pages.Select(p => string.Join(',', p.Items.Select(m => m.Metadata.Name))));
        Assert.Equal([3L, 1L], pages.Take(2).Select(p => p.Metadata.RemainingItemCount));
        Assert.False(pages[2].Metadata.HasRemainingItemCount);
        Assert.Equal("", pages[2].Metadata.Continue);
        Assert.Single(pages.Select(p => p.Metadata.ResourceVersion).Distinct());
    }

    [SkippableFact]
    public async Task List_WithoutLimit_IsOnePageWithNoContinue()
    {
        await CreateMapsAsync("a", "b", "c");

        var list = await Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns }, deadline: Deadline);

        Assert.Equal(["a", "b", "c"], list.Items.Select(m => m.Metadata.Name));
        Assert.Equal("", list.Metadata.Continue);
        Assert.False(list.Metadata.HasRemainingItemCount);
    }

    [SkippableFact]
    public async Task List_WritesBetweenPages_LaterPagesShowTheListAsItWasAtTheFirst()
    {
        var created = await CreateMapsAsync("a", "b", "c", "d", "e");
        var first = await Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns, Limit = 2 }, deadline: Deadline);

        // Between the pages: a new key among the unread ones, a change and a delete of unread ones, a key past the end,
        // and a change to one already read.
        await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "bb"), deadline: Deadline);
        var c = created["c"].Clone();
        c.Data["key"] = "changed";
        await Api.ConfigMaps.UpdateAsync(c, deadline: Deadline);
        await Api.ConfigMaps.DeleteAsync(new DeleteRequest { Namespace = Ns, Name = "d" }, deadline: Deadline);
        await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "f"), deadline: Deadline);
        var a = created["a"].Clone();
        a.Data["key"] = "changed";
        await Api.ConfigMaps.UpdateAsync(a, deadline: Deadline);
        var rest = await ListPagesAsync(new ListRequest { Namespace = Ns, Limit = 2, Continue = first.Metadata.Continue });

        var items = rest.SelectMany(p => p.Items).ToList();
        Assert.Equal(["c", "d", "e"], items.Select(m => m.Metadata.Name));
        Assert.Equal(
            new[] { "c", "d", "e" }.Select(n => (created[n].Metadata.ResourceVersion, "value")),
            items.Select(m => (m.Metadata.ResourceVersion, m.Data["key"])));
        Assert.All(rest, p => Assert.Equal(first.Metadata.ResourceVersion, p.Metadata.ResourceVersion));
        var now = await Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns }, deadline: Deadline);
        Assert.Equal(["a", "b", "bb", "c", "e", "f"], now.Items.Select(m => m.Metadata.Name));
    }

    [SkippableFact]
    public async Task List_ObjectRecreatedBetweenPages_LaterPageShowsTheFirstIncarnation()
    {
        var created = await CreateMapsAsync("a", "b");
        var first = await Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns, Limit = 1 }, deadline: Deadline);

        await Api.ConfigMaps.DeleteAsync(new DeleteRequest { Namespace = Ns, Name = "b" }, deadline: Deadline);
        var again = NewConfigMap(Ns, "b");
        again.Data["key"] = "second";
        await Api.ConfigMaps.CreateAsync(again, deadline: Deadline);
        var second = await Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns, Limit = 1, Continue = first.Metadata.Continue }, deadline: Deadline);

        var b = Assert.Single(second.Items);
        Assert.Equal((created["b"].Metadata.Uid, "value"), (b.Metadata.Uid, b.Data["key"]));
    }

    [SkippableFact]
    public async Task List_WithSelectorAndLimit_FillsPagesWithMatchesOnly()
    {
        foreach (var (name, app) in new[] { ("a", "web"), ("b", "db"), ("c", "web"), ("d", "db"), ("e", "web"), ("f", "db") })
        {
            await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, name, ("app", app)), deadline: Deadline);
        }

        var pages = await ListPagesAsync(new ListRequest { Namespace = Ns, LabelSelector = "app=web", Limit = 2 });

        Assert.Equal(["a,c", "e"], pages.Select(p => string.Join(',', p.Items.Select(m => m.Metadata.Name))));
        // kube leaves the count out when a selector narrows the list.
        Assert.All(pages, p => Assert.False(p.Metadata.HasRemainingItemCount));
    }

    [SkippableFact]
    public async Task List_LimitExactlyTheMatches_GivesNoContinue()
    {
        await CreateMapsAsync("a", "b");

        var list = await Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns, Limit = 2 }, deadline: Deadline);

        Assert.Equal(["a", "b"], list.Items.Select(m => m.Metadata.Name));
        Assert.Equal("", list.Metadata.Continue);
    }

    [SkippableFact]
    public async Task List_AllNamespaces_PagesAcrossNamespacesInKeyOrder()
    {
        var other = await CreateNamespaceAsync();
        var suite = ("suite", Ns);
        foreach (var (ns, name) in new[] { (Ns, "x"), (Ns, "y"), (other, "x"), (other, "y") })
        {
            await Api.ConfigMaps.CreateAsync(NewConfigMap(ns, name, suite), deadline: Deadline);
        }

        var pages = await ListPagesAsync(new ListRequest { LabelSelector = $"suite={Ns}", Limit = 3 });

        var expected = new[] { $"{Ns}/x", $"{Ns}/y", $"{other}/x", $"{other}/y" }.Order(StringComparer.Ordinal);
        Assert.Equal(expected, pages.SelectMany(p => p.Items).Select(m => $"{m.Metadata.Namespace}/{m.Metadata.Name}"));
        Assert.Equal(2, pages.Count);
    }

    [SkippableTheory]
    [InlineData("not base64!", "invalid continue token")]
    [InlineData("eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MCwic3RhcnQiOiJhIn0", "incorrect encoded start resourceVersion")]
    [InlineData("eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NSwic3RhcnQiOiIifQ", "encoded start key empty")]
    [InlineData("eyJ2IjoidjAiLCJydiI6NSwic3RhcnQiOiJhIn0", "incorrect encoded start resourceVersion")]
    [InlineData("eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6OTAwMDAwMDAwMDAwMDAwMDAwMCwic3RhcnQiOiJhIn0", "is a future revision")]
    public async Task List_MalformedContinue_IsInvalidArgumentSayingWhy(string token, string why)
    {
        var ex = await FailureOfAsync(() => Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns, Continue = token }, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("invalid continue token", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(why, ex.Status.Detail, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task List_ContinueOfJsonNested100000Deep_IsRefusedAndTheServerKeepsServing()
    {
        var nested = new string('[', 100_000) + new string(']', 100_000);
        var token = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(nested)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var ex = await FailureOfAsync(() => Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns, Continue = token }, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("invalid continue token", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns }, deadline: Deadline)).Items);
    }

    [SkippableFact]
    public async Task List_NegativeLimit_IsInvalidArgumentNamingLimit()
    {
        var ex = await FailureOfAsync(() => Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns, Limit = -1 }, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("limit: Invalid value: -1", ex.Status.Detail, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task List_ExactResourceVersion_ShowsTheObjectsAsTheyWereAtIt()
    {
        var created = await CreateMapsAsync("a", "b");
        var then = (await Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns }, deadline: Deadline)).Metadata.ResourceVersion;
        var a = created["a"].Clone();
        a.Data["key"] = "changed";
        await Api.ConfigMaps.UpdateAsync(a, deadline: Deadline);
        await Api.ConfigMaps.DeleteAsync(new DeleteRequest { Namespace = Ns, Name = "b" }, deadline: Deadline);
        await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "c"), deadline: Deadline);

        var exact = await Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns, ResourceVersion = then, ResourceVersionMatch = "Exact" }, deadline: Deadline);
        var notOlder = await Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns, ResourceVersion = then }, deadline: Deadline);
        var pages = await ListPagesAsync(new ListRequest { Namespace = Ns, ResourceVersion = then, ResourceVersionMatch = "Exact", Limit = 1 });

        Assert.Equal(then, exact.Metadata.ResourceVersion);
        Assert.Equal(["a=value", "b=value"], exact.Items.Select(m => $"{m.Metadata.Name}={m.Data["key"]}"));
        Assert.Equal(["a=changed", "c=value"], notOlder.Items.Select(m => $"{m.Metadata.Name}={m.Data["key"]}"));
        Assert.Equal(["a", "b"], pages.SelectMany(p => p.Items).Select(m => m.Metadata.Name));
        Assert.All(pages, p => Assert.Equal(then, p.Metadata.ResourceVersion));
    }

    /// <summary>
    /// Random creates, updates and deletes (re-creates included) over a few keys, with a list taken now and then: each
    /// list read again later at its revision with resourceVersionMatch Exact is the same list, object for object.
    /// </summary>
    [SkippableFact]
    public async Task List_ExactAtEveryEarlierRevision_EqualsTheListTakenThen()
    {
        var random = new Random(20261205);
        var names = Enumerable.Range(0, 8).Select(i => "k" + i).ToArray();
        var snapshots = new List<ConfigMapList>();
        for (var step = 0; step < 120; step++)
        {
            var name = names[random.Next(names.Length)];
            var current = (await Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns, FieldSelector = "metadata.name=" + name }, deadline: Deadline)).Items.SingleOrDefault();
            if (current is null)
            {
                var created = NewConfigMap(Ns, name);
                created.Data["step"] = step.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Api.ConfigMaps.CreateAsync(created, deadline: Deadline);
            }
            else if (random.Next(3) == 0)
            {
                await Api.ConfigMaps.DeleteAsync(new DeleteRequest { Namespace = Ns, Name = name }, deadline: Deadline);
            }
            else
            {
                current.Data["step"] = step.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Api.ConfigMaps.UpdateAsync(current, deadline: Deadline);
            }

            if (step % 10 == 0)
            {
                snapshots.Add(await Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns }, deadline: Deadline));
            }
        }

        foreach (var then in snapshots)
        {
            var again = await Api.ConfigMaps.ListAsync(
                new ListRequest { Namespace = Ns, ResourceVersion = then.Metadata.ResourceVersion, ResourceVersionMatch = "Exact" }, deadline: Deadline);

            Assert.Equal(then.Items, again.Items);
        }
    }

    [SkippableTheory]
    [InlineData("", "Exact", "", "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided")]
    [InlineData("0", "Exact", "", "resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"")]
    [InlineData("5", "Newest", "", "resourceVersionMatch: Unsupported value: \"Newest\"")]
    [InlineData("5", "Exact", "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NSwic3RhcnQiOiJhIn0", "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided")]
    [InlineData("five", "", "", "resourceVersion: Invalid value: \"five\"")]
    public async Task List_BadResourceVersionOptions_AreInvalidListOptionsNamingTheField(string resourceVersion, string match, string token, string message)
    {
        var request = new ListRequest { Namespace = Ns, ResourceVersion = resourceVersion, ResourceVersionMatch = match, Continue = token };

        var ex = await FailureOfAsync(() => Api.ConfigMaps.ListAsync(request, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("ListOptions.meta.k8s.io \"\" is invalid: " + message, ex.Status.Detail, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task List_NotOlderThanARevisionTheStoreHasNotReached_IsTooLarge()
    {
        var ex = await FailureOfAsync(() => Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns, ResourceVersion = "9000000000000000000" }, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.StartsWith("Too large resource version: 9000000000000000000, current: ", ex.Status.Detail, StringComparison.Ordinal);
    }

    private async Task<Dictionary<string, ConfigMap>> CreateMapsAsync(params string[] names)
    {
        var created = new Dictionary<string, ConfigMap>();
        foreach (var name in names)
        {
            created[name] = await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, name), deadline: Deadline);
        }

        return created;
    }

    private async Task<List<ConfigMapList>> ListPagesAsync(ListRequest request)
    {
        var pages = new List<ConfigMapList>();
        for (var i = 0; i < 50; i++)
        {
            var page = await Api.ConfigMaps.ListAsync(request, deadline: Deadline);
            pages.Add(page);
            if (page.Metadata.Continue.Length == 0)
            {
                return pages;
            }

            // As client-go's pager: the token carries the revision, so the next request names none.
            request = request.Clone();
            request.Continue = page.Metadata.Continue;
            request.ResourceVersion = "";
            request.ResourceVersionMatch = "";
        }

        throw new InvalidOperationException("the list never ended");
    }
}

public sealed class RedisListPagingTests(ApiServerFixture fixture) : ListPagingTests(fixture), IClassFixture<ApiServerFixture>;

public sealed class GarnetListPagingTests(GarnetFixture fixture) : ListPagingTests(fixture), IClassFixture<GarnetFixture>;
