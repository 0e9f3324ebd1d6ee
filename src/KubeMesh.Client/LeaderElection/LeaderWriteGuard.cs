using Grpc.Core;
using Grpc.Core.Interceptors;

namespace KubeMesh.Client.LeaderElection;

/// <summary>
/// Refuses a leader-elected component's writes whenever it is not the leader at the moment of the call, so nothing a
/// former leader still had queued (or was doing when it was stopped and resumed) reaches the api-server after its
/// renew deadline. Reads (get, list, watch, logs, discovery) pass: informers stay warm on every replica.
/// </summary>
public sealed class LeaderWriteGuard(ILeadership leadership, string lease) : Interceptor
{
    private static readonly HashSet<string> Reads = ["Get", "List", "Watch", "GetLogs", "ListResources"];

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        if (!Reads.Contains(context.Method.Name) && !leadership.IsLeader)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{context.Method.FullName} refused: this process does not hold the lease {lease}"));
        }

        return continuation(request, context);
    }
}
