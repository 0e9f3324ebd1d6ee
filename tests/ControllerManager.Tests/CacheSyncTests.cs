using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.DaemonSets;
using KubeMesh.ControllerManager.Controllers.ReplicaSets;

namespace KubeMesh.ControllerManager.Tests;

/// <summary>Each controller waits for the informers it reads and no others, so one kind that cannot be listed stalls only its readers.</summary>
public sealed class CacheSyncTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [SkippableFact]
    public async Task Start_NodesCannotBeListed_ControllersNotReadingNodesStillWork()
    {
        using var channel = GrpcChannel.ForAddress(api.Address);
        var client = new KubeMeshClient(channel.Intercept(new RefuseList("kubemesh.core.v1.NodeService")));
        ReplicaSetController? replicaSets = null;
        DaemonSetController? daemonSets = null;
        await using var harness = await ControllerHarness.StartUnsyncedAsync(
            client, c => replicaSets = new ReplicaSetController(c), c => daemonSets = new DaemonSetController(c));

        await replicaSets!.WaitForCacheSyncAsync(CancellationToken.None).WaitAsync(Timeout);
        await api.Client.For<ReplicaSet>().CreateAsync(TestObjects.ReplicaSet(harness.Namespace, "web", 2, "web"));

        await Eventually.Until(async () => (await api.Client.For<Pod>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items.Count == 2, Timeout, "the ReplicaSet's pods are created");
        Assert.False(daemonSets!.HasSynced);
        Assert.Contains("nodes", daemonSets.Informers);
        Assert.DoesNotContain("nodes", replicaSets.Informers);
    }

    /// <summary>Fails every List of one service, as an api-server that cannot serve that kind would.</summary>
    private sealed class RefuseList(string service) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            if (context.Method.ServiceName != service || context.Method.Name != "List")
            {
                return continuation(request, context);
            }

            var status = new Status(StatusCode.Unavailable, $"{service} cannot list");
            return new AsyncUnaryCall<TResponse>(
                Task.FromException<TResponse>(new RpcException(status)), Task.FromResult(new Metadata()), () => status, () => [], () => { });
        }
    }
}
