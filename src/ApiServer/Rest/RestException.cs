namespace KubeMesh.ApiServer.Rest;

/// <summary>An error of the HTTP layer itself (no such path, a body too large, a media type not served), answered as a Status.</summary>
public sealed class RestException(int code, string reason, string message) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public static RestException NotFound(string message = "the server could not find the requested resource") => new(404, "NotFound", message);

    public static RestException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    public static RestException BadRequest(string message) => new(400, "BadRequest", message);

    public static RestException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got \"{contentType}\")");

    public static RestException TooLarge(long limit) => new(413, "RequestEntityTooLarge", $"Request entity too large: limit is {limit}");
}
