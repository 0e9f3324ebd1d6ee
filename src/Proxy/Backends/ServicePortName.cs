namespace KubeMesh.Proxy.Backends;

/// <summary>One port of one Service (kube-proxy's ServicePortName): "namespace/name:port".</summary>
public readonly record struct ServicePortName(string Namespace, string Name, string Port)
{
    public override string ToString() => Port.Length == 0 ? $"{Namespace}/{Name}" : $"{Namespace}/{Name}:{Port}";
}
