using Aspire.Hosting.ApplicationModel;
using YamlDotNet.RepresentationModel;

namespace KubeMesh.EndToEnd;

/// <summary>docker-compose.yml is written by hand (no container publisher here): it must describe the AppHost's services.</summary>
public sealed class ComposeMatchesAppHostTests
{
    [Fact]
    public async Task DockerCompose_Services_AreTheAppHostResources()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var data = new ModelDataDirectory();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            data.Args("--Cluster:StoreMode=embedded"), cts.Token);
        var resources = builder.Resources.Select(r => r.Name).Where(n => n != "aspire-dashboard" && !n.EndsWith("-rebuilder", StringComparison.Ordinal)).Order().ToList();

        var composed = (await ComposeServicesAsync(cts.Token)).Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order().ToList();

        Assert.Equal(resources, composed);
    }

    [Fact]
    public async Task DockerCompose_Components_FindTheApiServerByTheAppHostsKey()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var data = new ModelDataDirectory();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            data.Args("--Cluster:StoreMode=embedded"), cts.Token);
        var services = await ComposeServicesAsync(cts.Token);

        var clients = new List<string>();
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            var environment = await AppHostModel.EnvironmentAsync(project, cts.Token);
            var composed = Environment((YamlMappingNode)services[project.Name]);
            Assert.Equal(environment.ContainsKey("ApiServer__Address"), composed.ContainsKey("ApiServer__Address"));
            if (environment.ContainsKey("ApiServer__Address"))
            {
                clients.Add(project.Name);
                Assert.Equal(environment["ApiServer__Address"], composed["ApiServer__Address"]);
            }
        }

        // Every component but the api-servers and the store talks to the api-server.
        Assert.Equal(["certificate-controller", "controller-manager-1", "controller-manager-2", "dns", "ingress-controller", "kubelet-node1", "kubelet-node2", "kubelet-node3", "proxy", "scheduler-1", "scheduler-2"], clients.Order());
    }

    /// <summary>
    /// Compose runs the AppHost's secured cluster: every setting the AppHost gives a component that names a file of the
    /// data directory (certificates, keys, kubeconfigs, the encryption configuration, node state) is given the same
    /// file under the directory's mount, and the authorization mode and HTTPS endpoints are the AppHost's.
    /// </summary>
    [Fact]
    public async Task DockerCompose_Components_HaveTheAppHostsCredentialsFromTheMountedDataDirectory()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var data = new ModelDataDirectory();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            data.Args("--Cluster:StoreMode=embedded"), cts.Token);
        var services = await ComposeServicesAsync(cts.Token);

        var files = 0;
        // The store is the embedded Garnet here and redis-server in compose; its data directory is checked below.
        foreach (var project in builder.Resources.OfType<ProjectResource>().Where(p => p.Name != "store"))
        {
            var service = (YamlMappingNode)services[project.Name];
            var composed = Environment(service);
            var mounts = Volumes(service);
            foreach (var (key, value) in await AppHostModel.EnvironmentAsync(project, cts.Token))
            {
                if (value is string text && text.StartsWith(data.Path + "/", StringComparison.Ordinal))
                {
                    files++;
                    Assert.True(composed.TryGetValue(key, out var path), $"{project.Name}: {key} is missing");
                    Assert.Equal(DataMount + text[data.Path.Length..], path);
                    Assert.Contains("./.kubemesh:" + DataMount + ":ro", mounts);
                }
                else if (key is "Authorization__Mode" || (value is string url && url.StartsWith("https://", StringComparison.Ordinal)))
                {
                    Assert.True(composed.TryGetValue(key, out var same), $"{project.Name}: {key} is missing");
                    Assert.Equal(value, same);
                }
            }
        }

        // Both api-servers' seven files and the encryption configuration and signing key, a kubeconfig per client, the
        // kubelets' serving certificates and state, the root CA the controller-managers publish.
        Assert.True(files >= 40, $"only {files} settings name a file of the data directory");
    }

    [Fact]
    public async Task DockerCompose_Store_KeepsItsDataInTheAppHostsDataDirectory()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var store = (YamlMappingNode)(await ComposeServicesAsync(cts.Token))["store"];

        var volumes = ((YamlSequenceNode)store["volumes"]).Children.Select(v => ((YamlScalarNode)v).Value).ToList();

        var defaults = new KubeMesh.AppHost.ClusterOptions();
        Assert.Equal([$"./{defaults.DataDirectory}/store:/data"], volumes);
        Assert.Equal(Path.Combine(defaults.DataDirectory, "store"), KubeMesh.AppHost.StoreResourceExtensions.StoreDataDirectory(defaults.DataDirectory));
    }

    /// <summary>Where docker-compose.yml mounts the AppHost's data directory.</summary>
    private const string DataMount = "/var/lib/kubemesh";

    private static List<string> Volumes(YamlMappingNode service)
    {
        var node = service.Children.TryGetValue(new YamlScalarNode("volumes"), out var own) ? own
            : ((YamlMappingNode)service["<<"])["volumes"];
        return ((YamlSequenceNode)node).Children.Select(v => ((YamlScalarNode)v).Value!).ToList();
    }

    private static async Task<YamlMappingNode> ComposeServicesAsync(CancellationToken cancellationToken)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "docker-compose.yml"), cancellationToken)));
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }

    /// <summary>A service's environment, with YAML merge keys (<c>&lt;&lt;: *env</c>) taken in as compose does.</summary>
    private static Dictionary<string, string> Environment(YamlMappingNode service)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(YamlMappingNode mapping)
        {
            foreach (var (key, value) in mapping.Children)
            {
                var name = ((YamlScalarNode)key).Value!;
                if (name == "<<")
                {
                    Add((YamlMappingNode)value);
                }
                else
                {
                    result[name] = ((YamlScalarNode)value).Value ?? "";
                }
            }
        }

        // A service's own environment replaces the one merged in from x-component, as YAML merge keys do.
        if (service.Children.TryGetValue(new YamlScalarNode("environment"), out var own))
        {
            Add((YamlMappingNode)own);
        }
        else if (service.Children.TryGetValue(new YamlScalarNode("<<"), out var component)
            && ((YamlMappingNode)component).Children.TryGetValue(new YamlScalarNode("environment"), out var shared))
        {
            Add((YamlMappingNode)shared);
        }

        return result;
    }
}
