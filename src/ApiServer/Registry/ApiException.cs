using Grpc.Core;

namespace KubeMesh.ApiServer.Registry;

/// <summary>
/// An error of the API with what kube-apiserver's metav1.Status carries beyond a code and a message: a reason
/// (NotFound, AlreadyExists, Conflict, Invalid, ...) and the object and fields it is about. gRPC callers see the
/// canonical code and message; the REST API answers the whole Status.
/// </summary>
public sealed class ApiException(StatusCode code, string message, string reason, ApiErrorDetails? details = null)
    : RpcException(new Status(code, message))
{
    public string Reason { get; } = reason;

    public ApiErrorDetails? Details { get; } = details;
}
