using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using KubeMesh.Api.Serialization;
using KubeMesh.ApiServer.Extensions;
using KubeMesh.ApiServer.Registry;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest;

/// <summary>
/// The one place errors become metav1.Status answers: canonical gRPC codes map to HTTP codes and Status reasons as
/// kube-apiserver's errors package pairs them (NOT_FOUND is 404 NotFound, ABORTED is 409 Conflict, OUT_OF_RANGE is
/// 410 Expired, ...), and <see cref="ApiException"/>s carry their details and field causes.
/// </summary>
public static class StatusErrors
{
    public static (int Code, string Reason) Map(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition => (400, "BadRequest"),
        StatusCode.Unauthenticated => (401, "Unauthorized"),
        StatusCode.PermissionDenied => (403, "Forbidden"),
        StatusCode.NotFound => (404, "NotFound"),
        StatusCode.Unimplemented => (405, "MethodNotAllowed"),
        StatusCode.AlreadyExists => (409, "AlreadyExists"),
        StatusCode.Aborted => (409, "Conflict"),
        StatusCode.OutOfRange => (410, "Expired"),
        StatusCode.ResourceExhausted => (429, "TooManyRequests"),
        StatusCode.Unavailable => (503, "ServiceUnavailable"),
        StatusCode.DeadlineExceeded => (504, "Timeout"),
        _ => (500, "InternalError"),
    };

    /// <summary>The Status for any exception a handler lets escape; null for one that is the client going away.</summary>
    public static JsonObject From(Exception exception)
    {
        switch (exception)
        {
            case ApiException api:
                var (code, reason) = api.Reason == "Invalid" ? (422, "Invalid") : (Map(api.StatusCode).Code, api.Reason);
                return Failure(code, reason, api.Status.Detail, api.Details);
            case RpcException rpc:
                var mapped = Map(rpc.StatusCode);
                return Failure(mapped.Code, mapped.Reason, rpc.Status.Detail);
            case RestException rest:
                return Failure(rest.Code, rest.Reason, rest.Message);
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                return Failure(413, "RequestEntityTooLarge", exception.Message);
            case BadHttpRequestException bad:
                return Failure(400, "BadRequest", bad.Message);
            case JsonException json:
                return Failure(400, "BadRequest", $"the request body is not valid JSON: {json.Message}");
            case ManifestException manifest:
                return Failure(400, "BadRequest", manifest.Message);
            default:
                if (StoreErrorInterceptor.Translate(exception) is { } translated)
                {
                    return From(translated);
                }

                return Failure(500, "InternalError", $"Internal error occurred: {exception.Message}");
        }
    }

    public static JsonObject Failure(int code, string reason, string message, ApiErrorDetails? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            var detailsNode = new JsonObject();
            AddIfSet(detailsNode, "name", details.Name);
            AddIfSet(detailsNode, "group", details.Group);
            AddIfSet(detailsNode, "kind", details.Kind);
            if (details.Causes.Count > 0)
            {
                detailsNode["causes"] = new JsonArray(details.Causes.Select(c =>
                {
                    var cause = new JsonObject { ["reason"] = c.Reason, ["message"] = c.Message };
                    AddIfSet(cause, "field", c.Field);
                    return (JsonNode)cause;
                }).ToArray());
            }

            if (details.RetryAfterSeconds > 0)
            {
                detailsNode["retryAfterSeconds"] = details.RetryAfterSeconds;
            }

            status["details"] = detailsNode;
        }

        status["code"] = code;
        return status;
    }

    /// <summary>metav1.Status Success, as a delete that removed the object at once answers.</summary>
    public static JsonObject Success(ApiErrorDetails details, string uid)
    {
        var detailsNode = new JsonObject { ["name"] = details.Name };
        AddIfSet(detailsNode, "group", details.Group);
        detailsNode["kind"] = details.Kind;
        AddIfSet(detailsNode, "uid", uid);
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = detailsNode,
        };
    }

    private static void AddIfSet(JsonObject node, string key, string value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            node[key] = value;
        }
    }
}
