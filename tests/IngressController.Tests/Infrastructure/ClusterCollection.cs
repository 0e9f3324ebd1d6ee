namespace KubeMesh.IngressController.Tests.Infrastructure;

/// <summary>One api-server and controller for all tests; each test uses its own host names and services.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
