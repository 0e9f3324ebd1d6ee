using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;

namespace KubeMesh.ApiServer.Tests.Contract;

/// <summary>A pod on a node is only marked by a delete: its kubelet has a grace period to stop it, as in Kubernetes.</summary>
public abstract class PodGracefulDeletionTests(ApiServerFixture fixture) : ApiTestBase(fixture)
{
    [SkippableFact]
    public async Task Delete_BoundPodWithoutGracePeriod_UsesTerminationGracePeriod()
    {
        var pod = NewPod(Ns, "bound");
        pod.Spec.NodeName = "node-1";
        pod.Spec.TerminationGracePeriodSeconds = 7;
        await Api.Pods.CreateAsync(pod, deadline: Deadline);

        var marked = await Api.Pods.DeleteAsync(new DeleteRequest { Namespace = Ns, Name = "bound" }, deadline: Deadline);

        Assert.Equal(7, marked.Metadata.DeletionGracePeriodSeconds);
        Assert.NotNull(marked.Metadata.DeletionTimestamp);
        var stored = await Api.Pods.GetAsync(new GetRequest { Namespace = Ns, Name = "bound" }, deadline: Deadline);
        Assert.Equal(marked.Metadata.DeletionTimestamp, stored.Metadata.DeletionTimestamp);
    }

    [SkippableFact]
    public async Task Delete_BoundPodWithZeroGracePeriod_RemovesAtOnce()
    {
        var pod = NewPod(Ns, "bound");
        pod.Spec.NodeName = "node-1";
        await Api.Pods.CreateAsync(pod, deadline: Deadline);

        await Api.Pods.DeleteAsync(new DeleteRequest { Namespace = Ns, Name = "bound", GracePeriodSeconds = 0 }, deadline: Deadline);

        Assert.Equal(Grpc.Core.StatusCode.NotFound, await CodeOfAsync(() => Api.Pods.GetAsync(new GetRequest { Namespace = Ns, Name = "bound" }, deadline: Deadline).ResponseAsync));
    }
}

public sealed class RedisPodGracefulDeletionTests(ApiServerFixture fixture) : PodGracefulDeletionTests(fixture), IClassFixture<ApiServerFixture>;

public sealed class GarnetPodGracefulDeletionTests(GarnetFixture fixture) : PodGracefulDeletionTests(fixture), IClassFixture<GarnetFixture>;
