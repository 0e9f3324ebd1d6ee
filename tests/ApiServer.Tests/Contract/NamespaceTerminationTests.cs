using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;

namespace KubeMesh.ApiServer.Tests.Contract;

/// <summary>
/// A namespace is created with the "kubernetes" finalizer; deleting it turns it Terminating (and closed to new
/// content) until that finalizer is released, which removes it, as kube-apiserver's namespace registry does.
/// </summary>
public abstract class NamespaceTerminationTests(ApiServerFixture fixture) : ApiTestBase(fixture)
{
    [SkippableFact]
    public async Task Create_Namespace_GetsKubernetesFinalizerAndActivePhase()
    {
        var ns = await Api.Namespaces.GetAsync(new GetRequest { Name = Ns }, deadline: Deadline);

        Assert.Equal(["kubernetes"], ns.Spec.Finalizers);
        Assert.Equal("Active", ns.Status.Phase);
        Assert.Null(ns.Metadata.DeletionTimestamp);
    }

    [SkippableFact]
    public async Task Delete_NamespaceWithSpecFinalizer_IsTerminatingAndKept()
    {
        await Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "content"), deadline: Deadline);

        var returned = await Api.Namespaces.DeleteAsync(new DeleteRequest { Name = Ns }, deadline: Deadline);

        var stored = await Api.Namespaces.GetAsync(new GetRequest { Name = Ns }, deadline: Deadline);
        Assert.Equal("Terminating", returned.Status.Phase);
        Assert.Equal("Terminating", stored.Status.Phase);
        Assert.NotNull(stored.Metadata.DeletionTimestamp);
        Assert.Equal(["kubernetes"], stored.Spec.Finalizers);
        var content = await Api.ConfigMaps.GetAsync(new GetRequest { Namespace = Ns, Name = "content" }, deadline: Deadline);
        Assert.Equal("content", content.Metadata.Name);
    }

    [SkippableFact]
    public async Task Create_InTerminatingNamespace_IsForbiddenAndStoresNothing()
    {
        await Api.Namespaces.DeleteAsync(new DeleteRequest { Name = Ns }, deadline: Deadline);

        var configMap = await FailureOfAsync(() => Api.ConfigMaps.CreateAsync(NewConfigMap(Ns, "late"), deadline: Deadline).ResponseAsync);
        var pod = await FailureOfAsync(() => Api.Pods.CreateAsync(NewPod(Ns, "late"), deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, configMap.StatusCode);
        Assert.Contains("being terminated", configMap.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, pod.StatusCode);
        var listed = await Api.ConfigMaps.ListAsync(new ListRequest { Namespace = Ns }, deadline: Deadline);
        Assert.Empty(listed.Items);
    }

    [SkippableFact]
    public async Task Update_TerminatingNamespaceReleasingKubernetesFinalizer_RemovesNamespace()
    {
        var terminating = await Api.Namespaces.DeleteAsync(new DeleteRequest { Name = Ns }, deadline: Deadline);
        terminating.Spec.Finalizers.Remove("kubernetes");

        await Api.Namespaces.UpdateAsync(terminating, deadline: Deadline);

        Assert.Equal(StatusCode.NotFound, await CodeOfAsync(() => Api.Namespaces.GetAsync(new GetRequest { Name = Ns }, deadline: Deadline).ResponseAsync));
    }

    [SkippableFact]
    public async Task Update_TerminatingNamespaceStillHoldingMetadataFinalizer_KeepsItUntilThatGoesToo()
    {
        var held = await Api.Namespaces.GetAsync(new GetRequest { Name = Ns }, deadline: Deadline);
        held.Metadata.Finalizers.Add("kubemesh.test/hold");
        await Api.Namespaces.UpdateAsync(held, deadline: Deadline);
        var terminating = await Api.Namespaces.DeleteAsync(new DeleteRequest { Name = Ns }, deadline: Deadline);

        terminating.Spec.Finalizers.Clear();
        var released = await Api.Namespaces.UpdateAsync(terminating, deadline: Deadline);
        Assert.Empty(released.Spec.Finalizers);
        Assert.Equal("Terminating", released.Status.Phase);

        released.Metadata.Finalizers.Clear();
        await Api.Namespaces.UpdateAsync(released, deadline: Deadline);
        Assert.Equal(StatusCode.NotFound, await CodeOfAsync(() => Api.Namespaces.GetAsync(new GetRequest { Name = Ns }, deadline: Deadline).ResponseAsync));
    }

    [SkippableFact]
    public async Task Update_LiveNamespaceDroppingFinalizers_KeepsThem()
    {
        var live = await Api.Namespaces.GetAsync(new GetRequest { Name = Ns }, deadline: Deadline);
        live.Spec.Finalizers.Clear();
        live.Metadata.Labels["touched"] = "yes";

        var updated = await Api.Namespaces.UpdateAsync(live, deadline: Deadline);

        Assert.Equal(["kubernetes"], updated.Spec.Finalizers);
        Assert.Equal("yes", updated.Metadata.Labels["touched"]);
    }

    [SkippableTheory]
    [InlineData("default")]
    [InlineData("kube-system")]
    public async Task Delete_SystemNamespace_IsForbiddenAndStaysActive(string name)
    {
        var failure = await FailureOfAsync(() => Api.Namespaces.DeleteAsync(new DeleteRequest { Name = name }, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, failure.StatusCode);
        var ns = await Api.Namespaces.GetAsync(new GetRequest { Name = name }, deadline: Deadline);
        Assert.Null(ns.Metadata.DeletionTimestamp);
        Assert.Equal("Active", ns.Status.Phase);
    }
}

public sealed class RedisNamespaceTerminationTests(ApiServerFixture fixture) : NamespaceTerminationTests(fixture), IClassFixture<ApiServerFixture>;

public sealed class GarnetNamespaceTerminationTests(GarnetFixture fixture) : NamespaceTerminationTests(fixture), IClassFixture<GarnetFixture>;
