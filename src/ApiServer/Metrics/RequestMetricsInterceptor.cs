using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace KubeMesh.ApiServer.Metrics;

/// <summary>
/// Counts and times every API request as kube-apiserver's instrumented handlers do, with the HTTP status code kube
/// would have answered (<see cref="HttpCodes"/>). Outermost, so it sees the status the client receives.
/// </summary>
public sealed class RequestMetricsInterceptor(ApiServerMetrics metrics) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var info = RequestInfo.ForGrpcMethod(context.Method);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await continuation(request, context);
            Record(info, info?.Verb == "POST" && info.Subresource.Length == 0 ? 201 : 200, started);
            return response;
        }
        catch (Exception e)
        {
            Record(info, HttpCodes.Of(e), started);
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var info = RequestInfo.ForGrpcMethod(context.Method);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await continuation(request, responseStream, context);
            Record(info, 200, started);
        }
        catch (Exception e)
        {
            // A stream its client closed was served until then, as kube counts a watch that ends.
            Record(info, context.CancellationToken.IsCancellationRequested ? 200 : HttpCodes.Of(e), started);
            throw;
        }
    }

    private void Record(RequestInfo? info, int code, long started)
    {
        if (info is not null)
        {
            metrics.Request(info, code, started);
        }
    }
}
