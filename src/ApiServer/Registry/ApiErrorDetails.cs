namespace KubeMesh.ApiServer.Registry;

/// <summary>
/// metav1.StatusDetails: the object an error is about (Kind is the resource, "pods", or for Invalid the kind), its field
/// causes, and how long the client should wait before trying again (0: not said).
/// </summary>
public sealed record ApiErrorDetails(string Name, string Group, string Kind, IReadOnlyList<ApiErrorCause> Causes)
{
    public int RetryAfterSeconds { get; init; }

    public ApiErrorDetails(string name, string group, string kind)
        : this(name, group, kind, [])
    {
    }
}
