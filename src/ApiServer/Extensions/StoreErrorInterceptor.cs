using Grpc.Core;
using Grpc.Core.Interceptors;
using KubeMesh.ApiServer.Storage;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.Extensions;

/// <summary>
/// Last line of defence: store failures a handler did not translate become canonical gRPC codes, never UNKNOWN. While
/// the store is away a caller gets one line, "storage is unavailable", as kube-apiserver answers 503 while etcd is
/// down; the driver's diagnostic (endpoints, buffers, timeouts) goes to this api-server's log, not to every client.
/// </summary>
public sealed partial class StoreErrorInterceptor(ILogger<StoreErrorInterceptor> logger) : Interceptor
{
    public const string StorageUnavailable = "storage is unavailable";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (Translate(ex, context) is { } translated)
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
        catch (Exception ex) when (Translate(ex, context) is { } translated)
        {
            throw translated;
        }
    }

    private RpcException? Translate(Exception ex, ServerCallContext context)
    {
        if (IsStoreUnavailable(ex))
        {
            LogStoreUnavailable(logger, context.Method, ex);
        }

        return Translate(ex);
    }

    /// <summary>The canonical code of a store failure; also the REST API's, so both answer alike.</summary>
    internal static RpcException? Translate(Exception ex) => ex switch
    {
        NotFoundException => new RpcException(new Status(StatusCode.NotFound, ex.Message)),
        AlreadyExistsException => new RpcException(new Status(StatusCode.AlreadyExists, ex.Message)),
        ConflictException => new RpcException(new Status(StatusCode.Aborted, ex.Message)),
        ExpiredException => new RpcException(new Status(StatusCode.OutOfRange, ex.Message)),
        _ when IsStoreUnavailable(ex) => new RpcException(new Status(StatusCode.Unavailable, StorageUnavailable)),
        _ => null,
    };

    // A store that restarts answers LOADING while it replays its append-only file.
    private static bool IsStoreUnavailable(Exception ex) =>
        ex is RedisConnectionException or RedisTimeoutException
        || (ex is RedisServerException && ex.Message.StartsWith("LOADING", StringComparison.Ordinal));

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method}: the store is unavailable; the caller was told so in one line")]
    private static partial void LogStoreUnavailable(ILogger logger, string method, Exception exception);
}
