namespace KubeMesh.ApiServer.Registry;

/// <summary>metav1.StatusDetails: the object an error is about (Kind is the resource, "pods", or for Invalid the kind) and its field causes.</summary>
public sealed record ApiErrorDetails(string Name, string Group, string Kind, IReadOnlyList<ApiErrorCause> Causes)
{
    public ApiErrorDetails(string name, string group, string kind)
        : this(name, group, kind, [])
    {
    }
}
