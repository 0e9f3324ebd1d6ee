namespace KubeMesh.Kubelet.Tests.NodeAgent;

/// <summary>The node agent tests share one api-server and kubelet and run one after another (they start real processes).</summary>
[CollectionDefinition(Name)]
public sealed class NodeAgentCollection : ICollectionFixture<NodeAgentFixture>
{
    public const string Name = "node agent";
}
