using Google.Protobuf;
using KubeMesh.Api.Resources;

namespace KubeMesh.Api.Serialization;

/// <summary>One object read from a manifest; <paramref name="Document"/> is the 1-based position of its YAML document.</summary>
public sealed record ManifestObject(ResourceKind Kind, IMessage Object, int Document);
