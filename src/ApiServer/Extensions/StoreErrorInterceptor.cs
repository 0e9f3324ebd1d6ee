using Grpc.Core;
using Grpc.Core.Interceptors;
using KubeMesh.ApiServer.Storage;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.Extensions;

/// <summary>Last line of defence: store failures a handler did not translate become canonical gRPC codes, never UNKNOWN.</summary>
public sealed class StoreErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>The canonical code of a store failure; also the REST API's, so both answer alike.</summary>
    internal static RpcException? Translate(Exception ex) => ex switch
    {
        NotFoundException => new RpcException(new Status(StatusCode.NotFound, ex.Message)),
        AlreadyExistsException => new RpcException(new Status(StatusCode.AlreadyExists, ex.Message)),
        ConflictException => new RpcException(new Status(StatusCode.Aborted, ex.Message)),
        ExpiredException => new RpcException(new Status(StatusCode.OutOfRange, ex.Message)),
        RedisConnectionException or RedisTimeoutException => new RpcException(new Status(StatusCode.Unavailable, $"storage is unavailable: {ex.Message}")),
        _ => null,
    };
}
