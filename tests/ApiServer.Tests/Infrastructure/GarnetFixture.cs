namespace KubeMesh.ApiServer.Tests.Infrastructure;

public sealed class GarnetFixture() : ApiServerFixture(new EmbeddedStoreServer());
