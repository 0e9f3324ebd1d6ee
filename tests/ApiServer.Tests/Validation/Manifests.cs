using Google.Protobuf;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;
using KubeMesh.ApiServer.Validation;

namespace KubeMesh.ApiServer.Tests.Validation;

/// <summary>Decodes a manifest, defaults it and validates it, as the api-server does on create.</summary>
internal static class Manifests
{
    public static T Defaulted<T>(string yaml)
        where T : IMessage
    {
        var obj = Assert.Single(ManifestDecoder.Decode(yaml));
        ObjectDefaulter.Apply(obj.Kind, obj.Object);
        return Assert.IsAssignableFrom<T>(obj.Object);
    }

    public static IReadOnlyList<FieldError> Validate(IMessage obj) =>
        ObjectValidator.ValidateCreate(ResourceKinds.For(obj.Descriptor), obj);

    public static IReadOnlyList<FieldError> Errors(string yaml) => Validate(Defaulted<IMessage>(yaml));

    public static void AssertError(IReadOnlyList<FieldError> errors, string path, string? messagePart = null) =>
        Assert.True(
            errors.Any(e => e.Path == path && (messagePart is null || e.Message.Contains(messagePart, StringComparison.Ordinal))),
            $"expected an error at {path}{(messagePart is null ? "" : $" containing \"{messagePart}\"")}; got:\n{string.Join("\n", errors)}");

    public static void AssertValid(IReadOnlyList<FieldError> errors) =>
        Assert.True(errors.Count == 0, "expected no errors; got:\n" + string.Join("\n", errors));

    public const string PodHeader = """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
        """;
}
