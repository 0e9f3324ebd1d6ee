using Grpc.Core;
using KubeMesh.ApiServer.Storage;

namespace KubeMesh.ApiServer.Metrics;

/// <summary>The HTTP status code kube-apiserver answers for what the gRPC API reports as a status code.</summary>
public static class HttpCodes
{
    public static int Of(Exception e) => e switch
    {
        RpcException rpc => Of(rpc.StatusCode),
        NotFoundException => 404,
        AlreadyExistsException or ConflictException => 409,
        ExpiredException => 410,
        OperationCanceledException => 499,
        _ => 500,
    };

    public static int Of(StatusCode code) => code switch
    {
        StatusCode.OK => 200,
        StatusCode.InvalidArgument => 422,
        StatusCode.NotFound => 404,
        StatusCode.AlreadyExists or StatusCode.Aborted => 409,
        StatusCode.FailedPrecondition => 409,
        StatusCode.PermissionDenied => 403,
        StatusCode.Unauthenticated => 401,
        StatusCode.ResourceExhausted => 413,
        StatusCode.OutOfRange => 410,
        StatusCode.Unimplemented => 405,
        StatusCode.Unavailable => 503,
        StatusCode.DeadlineExceeded => 504,
        // nginx's "client closed request": a watch ended by its client is no server error.
        StatusCode.Cancelled => 499,
        _ => 500,
    };
}
