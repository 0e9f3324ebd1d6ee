using Grpc.Core;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Registry;

/// <summary>Errors worded as kube-apiserver words them, carried by canonical gRPC codes.</summary>
public static class ApiErrors
{
    public static RpcException NotFound(ResourceKind kind, string name) =>
        new(new Status(StatusCode.NotFound, $"{kind.GroupResource} \"{name}\" not found"));

    public static RpcException AlreadyExists(ResourceKind kind, string name) =>
        new(new Status(StatusCode.AlreadyExists, $"{kind.GroupResource} \"{name}\" already exists"));

    public static RpcException Conflict(ResourceKind kind, string name, string why = "the object has been modified; please apply your changes to the latest version and try again") =>
        new(new Status(StatusCode.Aborted, $"Operation cannot be fulfilled on {kind.GroupResource} \"{name}\": {why}"));

    public static RpcException Invalid(ResourceKind kind, string name, IReadOnlyList<FieldError> errors) =>
        new(new Status(StatusCode.InvalidArgument, $"{kind.Kind} \"{name}\" is invalid: {string.Join("; ", errors)}"));

    public static RpcException BadRequest(string message) => new(new Status(StatusCode.InvalidArgument, message));

    public static RpcException Forbidden(string message) => new(new Status(StatusCode.PermissionDenied, message));

    public static RpcException Expired(string message) => new(new Status(StatusCode.OutOfRange, message));
}
