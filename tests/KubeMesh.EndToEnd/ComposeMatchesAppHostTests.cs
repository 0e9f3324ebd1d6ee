using YamlDotNet.RepresentationModel;

namespace KubeMesh.EndToEnd;

/// <summary>docker-compose.yml is written by hand (no container publisher here): it must describe the AppHost's services.</summary>
public sealed class ComposeMatchesAppHostTests
{
    [Fact]
    public async Task DockerCompose_Services_AreTheAppHostResources()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["--Cluster:StoreMode=embedded"], cts.Token);
        var resources = builder.Resources.Select(r => r.Name).Where(n => n != "aspire-dashboard" && !n.EndsWith("-rebuilder", StringComparison.Ordinal)).Order().ToList();

        var yaml = new YamlStream();
        yaml.Load(new StringReader(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "docker-compose.yml"), cts.Token)));
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        var composed = services.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order().ToList();

        Assert.Equal(resources, composed);
    }
}
