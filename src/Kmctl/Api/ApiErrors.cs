using System.Net.Sockets;
using Grpc.Core;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Printing;

namespace KubeMesh.Kmctl.Api;

/// <summary>Turns gRPC status codes into the lines kubectl prints for the matching HTTP status reasons.</summary>
public static class ApiErrors
{
    public static string Message(RpcException ex, string address)
    {
        if (IsConnectionFailure(ex))
        {
            var servers = string.Join(", ", address.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(a => new Uri(a)).Select(u => $"{u.Host}:{u.Port}"));

            // As kubectl: "refused" only when nothing listens; a server that accepted and then failed (a reset, a
            // TLS or HTTP/2 handshake that did not finish) is named with what went wrong.
            return IsRefused(ex)
                ? $"The connection to the server {servers} was refused - did you specify the right host or port?"
                : $"Unable to connect to the server {servers}: {Cause(ex).ReplaceLineEndings(" ")}";
        }

        var detail = OneLine(ex.Status.Detail);
        return ex.StatusCode switch
        {
            StatusCode.InvalidArgument when detail.StartsWith("The ", StringComparison.Ordinal) => detail,
            StatusCode.DeadlineExceeded => $"Unable to connect to the server {address}: {detail}",
            _ => $"Error from server ({Reason(ex.StatusCode)}): {detail}",
        };
    }

    public static string NotFound(ResourceKind kind, string name) =>
        $"Error from server (NotFound): {ObjectNames.PluralWithGroup(kind)} \"{name}\" not found";

    public static string Reason(StatusCode code) => code switch
    {
        StatusCode.NotFound => "NotFound",
        StatusCode.AlreadyExists => "AlreadyExists",
        StatusCode.InvalidArgument => "Invalid",
        StatusCode.Aborted => "Conflict",
        StatusCode.OutOfRange => "Expired",
        StatusCode.FailedPrecondition => "BadRequest",
        StatusCode.PermissionDenied => "Forbidden",
        StatusCode.Unauthenticated => "Unauthorized",
        StatusCode.Unimplemented => "MethodNotAllowed",
        StatusCode.ResourceExhausted => "TooManyRequests",
        StatusCode.Unavailable => "ServiceUnavailable",
        _ => "InternalError",
    };

    private static bool IsRefused(RpcException ex)
    {
        for (var e = ex.Status.DebugException; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return true;
            }
        }

        // No exception to look at (the detail alone said "Error connecting"): kubectl's line, as before.
        return ex.Status.DebugException is null;
    }

    /// <summary>The deepest socket or I/O error under the call's failure (a reset, an unexpected end of stream), else its own message.</summary>
    private static string Cause(RpcException ex)
    {
        Exception? cause = null;
        for (var e = ex.Status.DebugException; e is not null; e = e.InnerException)
        {
            if (e is SocketException or IOException)
            {
                cause = e;
            }
        }

        return (cause ?? ex.Status.DebugException)?.Message ?? ex.Status.Detail;
    }

    private static bool IsConnectionFailure(RpcException ex) =>
        ex.StatusCode == StatusCode.Unavailable
        && (ex.Status.DebugException is HttpRequestException or SocketException
            || ex.Status.DebugException?.InnerException is SocketException
            || ex.Status.Detail.Contains("Error connecting", StringComparison.OrdinalIgnoreCase));

    /// <summary>Several validation errors become kubectl's bracketed list on one line.</summary>
    private static string OneLine(string detail)
    {
        var lines = detail.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length <= 1 ? detail.Trim() : "[" + string.Join(", ", lines) + "]";
    }
}
