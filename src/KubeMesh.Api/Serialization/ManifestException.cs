namespace KubeMesh.Api.Serialization;

/// <summary>
/// A manifest that could not be decoded. Every problem of every document is collected before this is thrown,
/// so one run shows the user all of them.
/// </summary>
public sealed class ManifestException : Exception
{
    public ManifestException(IReadOnlyList<FieldError> errors)
        : this(errors.Select(e => new ManifestError(null, e)).ToList())
    {
    }

    public ManifestException(IReadOnlyList<ManifestError> errors)
        : base(Format(errors))
    {
        Errors = errors.Select(e => e.Error).ToList();
        Sources = errors;
    }

    public IReadOnlyList<FieldError> Errors { get; }

    /// <summary>The same errors with the object each came from ("Deployment/web", "document 2").</summary>
    public IReadOnlyList<ManifestError> Sources { get; }

    private static string Format(IReadOnlyList<ManifestError> errors) =>
        errors.Count == 0 ? "invalid manifest" : string.Join(Environment.NewLine, errors);
}
