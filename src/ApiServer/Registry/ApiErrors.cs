using Grpc.Core;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Registry;

/// <summary>Errors worded as kube-apiserver words them, carried by canonical gRPC codes and Kubernetes' Status reasons.</summary>
public static class ApiErrors
{
    public static ApiException NotFound(ResourceKind kind, string name) =>
        new(StatusCode.NotFound, $"{kind.GroupResource} \"{name}\" not found", "NotFound", new(name, kind.Group, kind.Plural));

    public static ApiException AlreadyExists(ResourceKind kind, string name) =>
        new(StatusCode.AlreadyExists, $"{kind.GroupResource} \"{name}\" already exists", "AlreadyExists", new(name, kind.Group, kind.Plural));

    public static ApiException Conflict(ResourceKind kind, string name, string why = "the object has been modified; please apply your changes to the latest version and try again") =>
        new(StatusCode.Aborted, $"Operation cannot be fulfilled on {kind.GroupResource} \"{name}\": {why}", "Conflict", new(name, kind.Group, kind.Plural));

    public static ApiException Invalid(ResourceKind kind, string name, IReadOnlyList<FieldError> errors) =>
        new(StatusCode.InvalidArgument, $"{kind.Kind} \"{name}\" is invalid: {string.Join("; ", errors)}", "Invalid",
            new(name, kind.Group, kind.Kind, Causes(errors)));

    /// <summary>A list's options refused as kube's ValidateListOptions refuses them: ListOptions.meta.k8s.io "" is invalid.</summary>
    public static ApiException InvalidListOptions(params FieldError[] errors) =>
        new(StatusCode.InvalidArgument, $"ListOptions.meta.k8s.io \"\" is invalid: {string.Join("; ", (IEnumerable<FieldError>)errors)}", "Invalid",
            new("", "meta.k8s.io", "ListOptions", Causes(errors)));

    /// <summary>A read not older than a revision the store has not reached (kube-apiserver's 504 after its cache waited).</summary>
    public static ApiException TooLargeResourceVersion(long asked, long current) =>
        new(StatusCode.DeadlineExceeded, $"Too large resource version: {asked}, current: {current}", "Timeout");

    public static ApiException BadRequest(string message) => new(StatusCode.InvalidArgument, message, "BadRequest");

    public static ApiException Forbidden(string message) => new(StatusCode.PermissionDenied, message, "Forbidden");

    public static ApiException Expired(string message) => new(StatusCode.OutOfRange, message, "Expired");

    private static List<ApiErrorCause> Causes(IEnumerable<FieldError> errors) =>
        errors.Select(e => new ApiErrorCause(CauseReason(e), e.Message, e.Path)).ToList();

    /// <summary>kube's field.ErrorType names, from the wording every <see cref="FieldError"/> factory starts with.</summary>
    private static string CauseReason(FieldError error) => error.Message switch
    {
        var m when m.StartsWith("Required value", StringComparison.Ordinal) => "FieldValueRequired",
        var m when m.StartsWith("Invalid value", StringComparison.Ordinal) => "FieldValueInvalid",
        var m when m.StartsWith("Unsupported value", StringComparison.Ordinal) => "FieldValueNotSupported",
        var m when m.StartsWith("Forbidden", StringComparison.Ordinal) => "FieldValueForbidden",
        var m when m.StartsWith("Duplicate value", StringComparison.Ordinal) => "FieldValueDuplicate",
        var m when m.StartsWith("Too long", StringComparison.Ordinal) => "FieldValueTooLong",
        var m when m.StartsWith("Not found", StringComparison.Ordinal) => "FieldValueNotFound",
        _ => "FieldValueInvalid",
    };
}
