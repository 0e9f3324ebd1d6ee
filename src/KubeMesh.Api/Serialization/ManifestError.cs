namespace KubeMesh.Api.Serialization;

/// <summary>A field error together with the object it belongs to, when that is known.</summary>
public sealed record ManifestError(string? Source, FieldError Error)
{
    public override string ToString() => Source is null ? Error.ToString() : $"{Source}: {Error}";
}
