using System.Globalization;

namespace KubeMesh.AppHost;

/// <summary>
/// cert-manager's part of the cluster: the certificate controller, apart from the control plane as cert-manager runs,
/// and, with Cluster:Pebble=true, pebble as the ACME server.
/// </summary>
public static class CertificateManagementExtensions
{
    public static void AddCertificateManagement(this IDistributedApplicationBuilder builder, ClusterOptions cluster, IResourceBuilder<ProjectResource> apiServer, string dataDirectory)
    {
        var dns = $"{cluster.DnsAddress}:{cluster.DnsPort.ToString(CultureInfo.InvariantCulture)}";
        builder.AddProject<Projects.CertificateController>("certificate-controller", ControlPlaneExtensions.ComponentOptions)
            .WithEnvironment("ApiServer__Address", $"http://127.0.0.1:{cluster.ApiServerPort.ToString(CultureInfo.InvariantCulture)}")
            .WithEnvironment("Kestrel__Endpoints__Http__Url", "http://127.0.0.1:" + cluster.CertificateControllerHealthPort.ToString(CultureInfo.InvariantCulture))
            // The HTTP-01 self check asks the cluster DNS and connects to the ingress, as pebble will.
            .WithEnvironment("CertificateController__Nameserver", dns)
            .WithEnvironment("CertificateController__Http01SelfCheckPort", cluster.IngressHttpPort.ToString(CultureInfo.InvariantCulture))
            .WithHttpEndpoint(port: cluster.CertificateControllerHealthPort, name: "health", isProxied: false)
            .WithHttpHealthCheck("/readyz", endpointName: "health")
            .WaitFor(apiServer);

        if (cluster.Pebble)
        {
            var config = PebbleConfiguration.Write(Path.Combine(dataDirectory, "pebble"), cluster);
            builder.AddExecutable("pebble", "pebble", Path.GetDirectoryName(config)!, "-config", config, "-dnsserver", dns)
                .WithEnvironment("PEBBLE_VA_NOSLEEP", "1")
                .WithUrl($"https://127.0.0.1:{cluster.PebblePort.ToString(CultureInfo.InvariantCulture)}/dir", "ACME directory")
                .WaitFor(apiServer);
        }
    }
}
