namespace KubeMesh.ApiServer.Tests.Infrastructure;

public sealed class RedisFixture() : ApiServerFixture(new RedisServer());
