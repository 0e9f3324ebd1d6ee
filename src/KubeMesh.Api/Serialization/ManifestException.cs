namespace KubeMesh.Api.Serialization;

public sealed class ManifestException(IReadOnlyList<FieldError> errors) : Exception(string.Join("\n", errors))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}
