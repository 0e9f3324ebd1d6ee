using Microsoft.Extensions.DependencyInjection;

namespace KubeMesh.Client.Tests;

// Reads and writes a process-wide environment variable, so these run one at a time.
[Collection(nameof(KubeMeshClientTests))]
[CollectionDefinition(nameof(KubeMeshClientTests), DisableParallelization = true)]
public sealed class KubeMeshClientTests
{
    [Fact]
    public void ResolveServerAddress_FlagEnvironmentDefault_InThatOrder()
    {
        var saved = Environment.GetEnvironmentVariable(KubeMeshClient.ServerEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(KubeMeshClient.ServerEnvironmentVariable, "http://127.0.0.2:7000");
            Assert.Equal("http://127.0.0.3:1", KubeMeshClient.ResolveServerAddress("http://127.0.0.3:1"));
            Assert.Equal("http://127.0.0.2:7000", KubeMeshClient.ResolveServerAddress(null));
            Assert.Equal("http://127.0.0.2:7000", KubeMeshClient.ResolveServerAddress(" "));

            Environment.SetEnvironmentVariable(KubeMeshClient.ServerEnvironmentVariable, null);
            Assert.Equal("http://127.0.0.1:6443", KubeMeshClient.ResolveServerAddress(null));
        }
        finally
        {
            Environment.SetEnvironmentVariable(KubeMeshClient.ServerEnvironmentVariable, saved);
        }
    }

    [Fact]
    public async Task AddKubeMeshClient_Registered_ResolvesSingletonClientFactoryAndRecorder()
    {
        var services = new ServiceCollection().AddLogging().AddKubeMeshClient("127.0.0.1:1").AddKubeMeshEventRecorder("test-controller");
        await using var provider = services.BuildServiceProvider();

        Assert.Same(provider.GetRequiredService<KubeMeshClient>(), provider.GetRequiredService<KubeMeshClient>());
        Assert.NotNull(provider.GetRequiredService<SharedInformerFactory>());
        Assert.NotNull(provider.GetRequiredService<EventRecorder>());
    }
}
