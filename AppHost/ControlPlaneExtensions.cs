namespace KubeMesh.AppHost;

/// <summary>The control-plane components, each a separate process, wired to the store and to each other.</summary>
public static class ControlPlaneExtensions
{
    /// <summary>
    /// Components declare their ports in their own appsettings.json for running alone; under the AppHost the
    /// ports are set here, so Aspire must not also proxy those Kestrel endpoints (it would hold the ports).
    /// </summary>
    internal static void ComponentOptions(ProjectResourceOptions options)
    {
        options.ExcludeKestrelEndpoints = true;
        options.ExcludeLaunchProfile = true;
    }

    /// <summary>
    /// The api-server replicas (api-server-1..N, each on its own port, stateless over the one store), then the scheduler
    /// and controller-manager replicas, which elect a leader on their Leases; every client gets every replica's address.
    /// </summary>
    /// <returns>The first api-server replica, which the other components wait for before they start.</returns>
    public static IResourceBuilder<ProjectResource> AddControlPlane(this IDistributedApplicationBuilder builder, ClusterOptions cluster, IResourceBuilder<IResource>? store, ReferenceExpression storeConnection, string? encryptionConfig = null)
    {
        var apiServers = Enumerable.Range(1, cluster.ApiServerReplicas).Select(i => builder.AddApiServerReplica(cluster, i, store, storeConnection, encryptionConfig)).ToArray();
        var apiServer = apiServers[0];
        var apiServerUrl = cluster.ApiServerAddress;

        for (var i = 1; i <= cluster.SchedulerReplicas; i++)
        {
            var healthPort = cluster.SchedulerHealthPort + i - 1;
            builder.AddProject<Projects.Scheduler>("scheduler-" + i, ComponentOptions)
                .WithEnvironment("ApiServer__Address", apiServerUrl)
                .WithEnvironment("Kestrel__Endpoints__Http__Url", "http://127.0.0.1:" + healthPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithHttpEndpoint(port: healthPort, name: "health", isProxied: false)
                .WithHttpHealthCheck("/readyz", endpointName: "health")
                .WaitFor(apiServer);
        }

        builder.AddIngressController(cluster, apiServer, apiServerUrl);

        // Health over HTTP/1 on a port of its own; the controllers reach the api-server over gRPC.
        for (var i = 1; i <= cluster.ControllerManagerReplicas; i++)
        {
            builder.AddProject<Projects.ControllerManager>("controller-manager-" + i, ComponentOptions)
                .WithEnvironment("ApiServer__Address", apiServerUrl)
                .WithEnvironment("Kestrel__Endpoints__Http__Url", "http://127.0.0.1:" + (cluster.ControllerManagerHealthPort + i - 1).ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithEnvironment("NodeLifecycle__GracePeriod", Duration(cluster.NodeMonitorGracePeriod))
                .WithEnvironment("NodeLifecycle__MonitorPeriod", Duration(cluster.NodeMonitorPeriod))
                .WithEnvironment("NodeLifecycle__PodEvictionTimeout", Duration(cluster.PodEvictionTimeout))
                .WaitFor(apiServer);
        }

        return apiServer;
    }

    /// <summary>Replica n of the api-server (api-server-n), serving gRPC on its own port; further ports go here too.</summary>
    private static IResourceBuilder<ProjectResource> AddApiServerReplica(this IDistributedApplicationBuilder builder, ClusterOptions cluster, int replica, IResourceBuilder<IResource>? store, ReferenceExpression storeConnection, string? encryptionConfig = null)
    {
        var grpcPort = cluster.ApiServerPortOf(replica);
        var restPort = cluster.ApiServerRestPortOf(replica);
        var apiServer = builder.AddProject<Projects.ApiServer>("api-server-" + replica, ComponentOptions)
            .WithEnvironment("ConnectionStrings__store", storeConnection)
            .WithEnvironment("Kestrel__Endpoints__Grpc__Url", "http://127.0.0.1:" + grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Kestrel__Endpoints__Http__Url", "http://127.0.0.1:0")
            .WithEnvironment("ApiServer__ServiceClusterIpRange", cluster.ServiceClusterIpRange)
            .WithEnvironment("Kestrel__Endpoints__Rest__Url", "http://127.0.0.1:" + restPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Kestrel__Endpoints__Rest__Protocols", "Http1AndHttp2")
            .WithHttpEndpoint(port: grpcPort, name: "grpc", isProxied: false)
            .WithUrlForEndpoint("grpc", u => u.DisplayText = "gRPC (kmctl, buf curl)")
            .WithHttpEndpoint(port: restPort, name: "rest", isProxied: false)
            .WithUrlForEndpoint("rest", u => u.DisplayText = "REST (kubectl)");
        if (encryptionConfig is not null)
        {
            apiServer.WithEnvironment("ApiServer__EncryptionProviderConfig", encryptionConfig);
        }

        if (store is not null)
        {
            apiServer.WaitFor(store);
        }

        return apiServer;
    }

    /// <summary>
    /// One kubelet per node (node-1..node-N), each a distinct named project so each gets its own node name, pod
    /// range (the n-th /24 of Cluster:PodNetwork, 127.10.n.0/24), address (127.10.n.1, where its gRPC endpoint listens) and state directory.
    /// </summary>
    public static void AddNodes(this IDistributedApplicationBuilder builder, ClusterOptions cluster, IResourceBuilder<ProjectResource> apiServer, string dataDirectory)
    {
        var apiServerUrl = cluster.ApiServerAddress;
        for (var i = 1; i <= cluster.NodeCount; i++)
        {
            // String concatenation: an interpolated string would bind to the ReferenceExpression overload.
            var nodeName = "node-" + i;
            builder.AddProject<Projects.Kubelet>("kubelet-node" + i, ComponentOptions)
                .WithEnvironment("Kubelet__NodeName", nodeName)
                .WithEnvironment("Kubelet__NodeIndex", i.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithEnvironment("Kubelet__Port", cluster.KubeletPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithEnvironment("Kubelet__PodCidr", cluster.PodCidrOf(i))
                .WithEnvironment("Kubelet__ClusterDns", cluster.DnsAddress)
                .WithEnvironment("Kubelet__BackOffInitial", cluster.KubeletBackOffInitial.ToString("c", System.Globalization.CultureInfo.InvariantCulture))
                .WithEnvironment("Kubelet__StateDirectory", Path.Combine(dataDirectory, "nodes", nodeName))
                .WithEnvironment("Kubelet__NodeLeaseRenewInterval", Duration(cluster.NodeLeaseRenewInterval))
                .WithEnvironment("ApiServer__Address", apiServerUrl)
                .WaitFor(apiServer);
        }
    }

    private static string Duration(TimeSpan value) => value.ToString("c", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The ingress controller on fixed ports, so load tests and curl know where to send traffic.</summary>
    private static void AddIngressController(this IDistributedApplicationBuilder builder, ClusterOptions cluster, IResourceBuilder<ProjectResource> apiServer, string apiServerUrl) =>
        builder.AddProject<Projects.IngressController>("ingress-controller", ComponentOptions)
            .WithEnvironment("ApiServer__Address", apiServerUrl)
            .WithEnvironment("IngressController__HttpPort", cluster.IngressHttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("IngressController__HttpsPort", cluster.IngressHttpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("IngressController__HealthPort", cluster.IngressHealthPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithHttpEndpoint(port: cluster.IngressHttpPort, name: "http", isProxied: false)
            .WithHttpsEndpoint(port: cluster.IngressHttpsPort, name: "https", isProxied: false)
            .WithHttpEndpoint(port: cluster.IngressHealthPort, name: "health", isProxied: false)
            .WithHttpHealthCheck("/readyz", endpointName: "health")
            .WaitFor(apiServer);

    /// <summary>
    /// Service networking: the proxy (kube-proxy and the load-balancer implementation) and the cluster
    /// DNS that pods' resolv.conf points at. Both only talk to the api-server.
    /// </summary>
    public static void AddServiceNetworking(this IDistributedApplicationBuilder builder, ClusterOptions cluster, IResourceBuilder<ProjectResource> apiServer)
    {
        var apiServerUrl = cluster.ApiServerAddress;
        builder.AddProject<Projects.Proxy>("proxy", ComponentOptions)
            .WithEnvironment("ApiServer__Address", apiServerUrl)
            .WithEnvironment("Proxy__LoadBalancerPool", cluster.LoadBalancerPool)
            .WithEnvironment("Urls", "http://127.0.0.1:" + cluster.ProxyHealthPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WaitFor(apiServer);
        builder.AddProject<Projects.Dns>("dns", ComponentOptions)
            .WithEnvironment("ApiServer__Address", apiServerUrl)
            .WithEnvironment("Dns__Address", cluster.DnsAddress)
            .WithEnvironment("Dns__Port", cluster.DnsPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Urls", "http://127.0.0.1:" + cluster.DnsHealthPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WaitFor(apiServer);
    }
}
