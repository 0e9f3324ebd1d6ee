using Microsoft.Extensions.Configuration;
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
    public async Task AddKubeMeshClient_Configuration_ReadsApiServerAddressOnly()
    {
        var saved = Environment.GetEnvironmentVariable(KubeMeshClient.ServerEnvironmentVariable);
        try
        {
            // kmctl's variable is no component's setting: a shell that exported it for kmctl changes nothing here.
            Environment.SetEnvironmentVariable(KubeMeshClient.ServerEnvironmentVariable, "http://127.0.0.2:7000");
            Assert.Equal("http://127.0.0.3:6443", await AddressFromAsync(new() { ["ApiServer:Address"] = "127.0.0.3:6443" }));
            Assert.Equal("http://127.0.0.4:1", await AddressFromAsync(new() { ["ApiServer__Address"] = "http://127.0.0.4:1" }, environment: true));
            Assert.Equal(KubeMeshClient.DefaultServerAddress, await AddressFromAsync(new() { ["Server"] = "http://127.0.0.5:1" }));
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

    /// <summary>The address a component's client gets from these settings, given as configuration or as environment variables.</summary>
    private static async Task<string?> AddressFromAsync(Dictionary<string, string?> settings, bool environment = false)
    {
        var configuration = new ConfigurationBuilder();
        var prefix = "KUBEMESH_TEST_" + Guid.NewGuid().ToString("N")[..8] + "_";
        if (environment)
        {
            foreach (var (key, value) in settings)
            {
                Environment.SetEnvironmentVariable(prefix + key, value);
            }

            configuration.AddEnvironmentVariables(prefix);
        }
        else
        {
            configuration.AddInMemoryCollection(settings);
        }

        try
        {
            await using var provider = new ServiceCollection().AddKubeMeshClient(configuration.Build()).BuildServiceProvider();
            return provider.GetRequiredService<KubeMeshClient>().Address;
        }
        finally
        {
            foreach (var key in settings.Keys.Where(_ => environment))
            {
                Environment.SetEnvironmentVariable(prefix + key, null);
            }
        }
    }
}
