namespace KubeMesh.Api.Serialization;

public static class ManifestDecoder
{
    public static IReadOnlyList<ManifestObject> Decode(string text) => throw new ManifestException([new FieldError("", "manifest decoding is not available yet")]);
}
