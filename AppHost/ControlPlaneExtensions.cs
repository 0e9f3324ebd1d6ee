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

        // Health over HTTP/1 on a port of its own; the controllers reach the api-server over gRPC.
        builder.AddProject<Projects.ControllerManager>("controller-manager")
            .WithEnvironment("KUBEMESH_SERVER", apiServerUrl)
            .WithEnvironment("Kestrel__Endpoints__Http__Url", "http://127.0.0.1:0")
            .WaitFor(apiServer);

        return apiServer;
    }
}
