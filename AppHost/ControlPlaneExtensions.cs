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

        builder.AddIngressController(cluster, apiServer, apiServerUrl);
        return apiServer;
    }

    /// <summary>The ingress controller on fixed ports, so load tests and curl know where to send traffic.</summary>
    private static void AddIngressController(this IDistributedApplicationBuilder builder, ClusterOptions cluster, IResourceBuilder<ProjectResource> apiServer, string apiServerUrl) =>
        builder.AddProject<Projects.IngressController>("ingress-controller")
            .WithEnvironment("KUBEMESH_SERVER", apiServerUrl)
            .WithEnvironment("IngressController__HttpPort", cluster.IngressHttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("IngressController__HttpsPort", cluster.IngressHttpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("IngressController__HealthPort", cluster.IngressHealthPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithHttpEndpoint(port: cluster.IngressHttpPort, name: "http", isProxied: false)
            .WithHttpsEndpoint(port: cluster.IngressHttpsPort, name: "https", isProxied: false)
            .WithHttpEndpoint(port: cluster.IngressHealthPort, name: "health", isProxied: false)
            .WithHttpHealthCheck("/readyz", endpointName: "health")
            .WaitFor(apiServer);
}
