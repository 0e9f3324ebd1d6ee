namespace KubeMesh.ApiServer.Rest.Protobuf;

/// <summary>A field of a Kubernetes protobuf message: its JSON name, scalar or message type, and whether it repeats or is a map.</summary>
public sealed record KubernetesField(int Number, string Name, string Type, bool Repeated = false, string? MapValueType = null)
{
    public bool IsMap => MapValueType is not null;
}
