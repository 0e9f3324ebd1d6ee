using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;

namespace KubeMesh.ApiServer.Tests.Contract;

/// <summary>
/// Creates in a namespace follow the namespace's life at once, although the api-server answers them from its
/// namespace cache: right after a namespace is removed or starts terminating, and when another api-server made the
/// change. Removal here is what the namespace controller does last: delete, then release the "kubernetes" finalizer.
/// </summary>
public abstract class NamespaceLifecycleTests(ApiServerFixture fixture) : ApiTestBase(fixture)
{
    private static readonly TimeSpan FeedTimeout = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task Create_RightAfterNamespaceDeleted_IsNotFound()
    {
        var ns = await CreateNamespaceAsync();
        await Api.ConfigMaps.CreateAsync(NewConfigMap(ns, "before"), deadline: Deadline);

        await RemoveNamespaceAsync(Api, ns);
        var failure = await FailureOfAsync(() => Api.ConfigMaps.CreateAsync(NewConfigMap(ns, "after"), deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, failure.StatusCode);
        Assert.Contains(ns, failure.Status.Detail, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Create_RightAfterNamespaceStartsTerminating_IsForbidden()
    {
        var ns = await CreateNamespaceAsync();
        var held = await Api.Namespaces.GetAsync(new GetRequest { Name = ns }, deadline: Deadline);
        held.Metadata.Finalizers.Add("kubemesh.test/hold");
        held = await Api.Namespaces.UpdateAsync(held, deadline: Deadline);
        await Api.ConfigMaps.CreateAsync(NewConfigMap(ns, "before"), deadline: Deadline);

        await Api.Namespaces.DeleteAsync(new DeleteRequest { Name = ns }, deadline: Deadline);
        var failure = await FailureOfAsync(() => Api.ConfigMaps.CreateAsync(NewConfigMap(ns, "after"), deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, failure.StatusCode);
        Assert.Contains("being terminated", failure.Status.Detail, StringComparison.Ordinal);
        var terminating = await Api.Namespaces.GetAsync(new GetRequest { Name = ns }, deadline: Deadline);
        terminating.Metadata.Finalizers.Clear();
        terminating.Spec.Finalizers.Clear();
        await Api.Namespaces.UpdateAsync(terminating, deadline: Deadline);
    }

    [SkippableFact]
    public async Task Create_AfterAnotherApiServerDeletedNamespace_IsNotFound()
    {
        var ns = await CreateNamespaceAsync();
        await Api.ConfigMaps.CreateAsync(NewConfigMap(ns, "before"), deadline: Deadline);
        await using var other = await Fixture.StartApiServerAsync(new Dictionary<string, string?>());

        await RemoveNamespaceAsync(other, ns);

        // This api-server learns of it from the namespace watch feed, a moment later. The feed may first bring the
        // namespace as terminating (the other server's delete, before its finalizers were cleared): that refusal is
        // Kubernetes' Forbidden for a terminating namespace, and NotFound follows.
        var attempt = 0;
        var refused = await Eventually.Found(
            async () =>
            {
                try
                {
                    await Api.ConfigMaps.CreateAsync(NewConfigMap(ns, $"after-{attempt++}"), deadline: Deadline);
                    return null;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.PermissionDenied)
                {
                    Assert.Contains("because it is being terminated", e.Status.Detail, StringComparison.Ordinal);
                    return null;
                }
                catch (RpcException e)
                {
                    return e;
                }
            },
            FeedTimeout,
            "this api-server refuses writes to the namespace the other one removed");
        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
    }

    private static async Task RemoveNamespaceAsync(ApiServerHost api, string ns)
    {
        var terminating = await api.Namespaces.DeleteAsync(new DeleteRequest { Name = ns }, deadline: Deadline);
        terminating.Spec.Finalizers.Clear();
        await api.Namespaces.UpdateAsync(terminating, deadline: Deadline);
    }
}

public sealed class RedisNamespaceLifecycleTests(ApiServerFixture fixture) : NamespaceLifecycleTests(fixture), IClassFixture<ApiServerFixture>;

public sealed class GarnetNamespaceLifecycleTests(GarnetFixture fixture) : NamespaceLifecycleTests(fixture), IClassFixture<GarnetFixture>;
