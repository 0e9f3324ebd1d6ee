using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace KubeMesh.ApiServer.Metrics;

/// <summary>Times every unary call into apiserver_request_duration_seconds, with the status code it ended with.</summary>
public sealed class RequestMetricsInterceptor(ApiServerMetrics metrics) : Interceptor
{
    private static readonly ConcurrentDictionary<string, ApiRequest> Requests = new(StringComparer.Ordinal);

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.OK;
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException e)
        {
            code = e.StatusCode;
            throw;
        }
        catch (Exception)
        {
            code = StatusCode.Unknown;
            throw;
        }
        finally
        {
            var api = Requests.GetOrAdd(context.Method, ApiRequest.Parse);
            metrics.RequestFinished(api, code.ToString(), Stopwatch.GetElapsedTime(started));
        }
    }
}
