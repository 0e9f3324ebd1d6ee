namespace KubeMesh.ApiServer.Rest.Protobuf;

/// <summary>One message of Kubernetes' protobuf API, by field number.</summary>
public sealed record KubernetesMessage(string Name, IReadOnlyDictionary<int, KubernetesField> Fields);
