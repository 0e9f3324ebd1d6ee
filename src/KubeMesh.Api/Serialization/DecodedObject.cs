using Google.Protobuf;

namespace KubeMesh.Api.Serialization;

/// <summary>An object decoded from Kubernetes JSON, with the unknown fields a Warn policy dropped ("unknown field \"spec.foo\"").</summary>
public sealed record DecodedObject(IMessage Object, IReadOnlyList<string> Warnings);
