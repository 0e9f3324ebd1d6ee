using KubeMesh.Api.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KubeMesh.AppHost;

/// <summary>
/// Writes a kubeconfig for the cluster into the data directory when the AppHost starts, so that
/// `export KUBECONFIG=$PWD/.kubemesh/kubeconfig; kubectl get nodes` works at once. Cluster, user and context are
/// all named kubemesh, so the file merges into another kubeconfig (KUBECONFIG=~/.kube/config:.kubemesh/kubeconfig).
/// kmctl reads the same file: the cluster's kubemesh.io/grpc extension lists the gRPC replicas it talks to.
/// </summary>
public static class KubeconfigExtensions
{
    public const string FileName = "kubeconfig";

    public static void AddKubeconfig(this IDistributedApplicationBuilder builder, ClusterOptions cluster, IResourceBuilder<ProjectResource> apiServer, string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        apiServer.WithUrl(new Uri(path).AbsoluteUri, "kubeconfig: " + path);
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            Directory.CreateDirectory(dataDirectory);
            PrivateFiles.Write(path, Render(cluster.ApiServerRestUrl, cluster.ApiServerAddress, ClusterTlsExtensions.AdminCredentials(cluster, dataDirectory)));
            e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("KubeMesh.AppHost")
                .LogInformation("kubectl: export KUBECONFIG={Kubeconfig}; kubectl get nodes  (the api-server's REST API is {RestUrl})", path, cluster.ApiServerRestUrl);
            return Task.CompletedTask;
        });
    }

    /// <param name="server">The REST URL kubectl talks to.</param>
    /// <param name="grpcServers">Every replica's gRPC URL, for kmctl and KubeMesh.Client (the kubemesh.io/grpc extension, which kubectl ignores).</param>
    /// <param name="credentials">With Cluster:Tls, the user's client certificate and the CA that signed it.</param>
    public static string Render(string server, string grpcServers, IssuedCertificate? credentials = null) => $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: kubemesh
          cluster:
            server: {{server}}{{(credentials is null ? "" : "\n    certificate-authority: " + credentials.CaFile)}}
            extensions:
            - name: {{KubeMesh.Client.Credentials.Kubeconfig.GrpcExtension}}
              extension:
                servers: {{grpcServers}}
        users:
        - name: kubemesh
          user: {{(credentials is null ? "{}" : $"\n    client-certificate: {credentials.CertFile}\n    client-key: {credentials.KeyFile}")}}
        contexts:
        - name: kubemesh
          context:
            cluster: kubemesh
            user: kubemesh
            namespace: default
        current-context: kubemesh
        preferences: {}

        """;
}
