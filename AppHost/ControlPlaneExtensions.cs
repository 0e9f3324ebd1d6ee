namespace KubeMesh.AppHost;

/// <summary>The control-plane components, each a separate process, wired to the store and to each other.</summary>
public static class ControlPlaneExtensions
{
    public static IResourceBuilder<ProjectResource> AddControlPlane(this IDistributedApplicationBuilder builder, ClusterOptions cluster, IResourceBuilder<IResource>? store, string storeConnection)
    {
        var apiServerUrl = $"http://127.0.0.1:{cluster.ApiServerPort}";
        var apiServer = builder.AddProject<Projects.ApiServer>("api-server")
            .WithEnvironment("ConnectionStrings__store", storeConnection)
            .WithEnvironment("Kestrel__Endpoints__Grpc__Url", apiServerUrl)
            .WithEnvironment("Kestrel__Endpoints__Http__Url", "http://127.0.0.1:0")
            .WithHttpEndpoint(port: cluster.ApiServerPort, name: "grpc", isProxied: false)
            .WithUrlForEndpoint("grpc", u => u.DisplayText = "gRPC (kmctl, buf curl)");
        if (store is not null)
        {
            apiServer.WaitFor(store);
        }

        return apiServer;
    }

    /// <summary>
    /// Service networking: the proxy (kube-proxy and the load-balancer implementation) and the cluster
    /// DNS that pods' resolv.conf points at. Both only talk to the api-server.
    /// </summary>
    public static void AddServiceNetworking(this IDistributedApplicationBuilder builder, ClusterOptions cluster, IResourceBuilder<ProjectResource> apiServer)
    {
        var apiServerUrl = $"http://127.0.0.1:{cluster.ApiServerPort}";
        builder.AddProject<Projects.Proxy>("proxy")
            .WithEnvironment("KUBEMESH_SERVER", apiServerUrl)
            .WithEnvironment("Urls", "http://127.0.0.1:10256")
            .WaitFor(apiServer);
        builder.AddProject<Projects.Dns>("dns")
            .WithEnvironment("KUBEMESH_SERVER", apiServerUrl)
            .WithEnvironment("Dns__Address", cluster.DnsAddress)
            .WithEnvironment("Dns__Port", cluster.DnsPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Urls", "http://127.0.0.1:10054")
            .WaitFor(apiServer);
    }
}
