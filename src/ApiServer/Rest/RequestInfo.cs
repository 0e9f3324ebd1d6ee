namespace KubeMesh.ApiServer.Rest;

/// <summary>
/// What a request asks for in the API's own terms (kube-apiserver's request.RequestInfo): the verb (get, list,
/// watch, create, update, patch, delete, deletecollection), group, version, namespace, resource, subresource and
/// name. Authentication and authorization decide on this, handlers serve it.
/// </summary>
public sealed record RequestInfo
{
    /// <summary>True for /api/v1/... and /apis/GROUP/VERSION/...; false for /version, discovery and OpenAPI.</summary>
    public bool IsResourceRequest { get; init; }

    public string Path { get; init; } = "";

    /// <summary>The API verb for resource requests; the lower-cased HTTP method otherwise.</summary>
    public string Verb { get; init; } = "";

    /// <summary>"api" or "apis".</summary>
    public string ApiPrefix { get; init; } = "";

    public string ApiGroup { get; init; } = "";

    public string ApiVersion { get; init; } = "";

    public string Namespace { get; init; } = "";

    public string Resource { get; init; } = "";

    public string Subresource { get; init; } = "";

    public string Name { get; init; } = "";

    /// <summary>The path segments from the resource on: resource/name/subresource/...</summary>
    public IReadOnlyList<string> Parts { get; init; } = [];
}
