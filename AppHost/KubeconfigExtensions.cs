using KubeMesh.Api.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KubeMesh.AppHost;

/// <summary>
/// Writes a kubeconfig for the cluster into the data directory when the AppHost starts, so that
/// `export KUBECONFIG=$PWD/.kubemesh/kubeconfig; kubectl get nodes` works at once. Cluster, user and context are
/// all named kubemesh, so the file merges into another kubeconfig (KUBECONFIG=~/.kube/config:.kubemesh/kubeconfig).
/// kmctl reads the same file: the cluster's kubemesh.io/grpc extension lists the gRPC replicas it talks to. Certificate
/// paths are relative to the kubeconfig, as clientcmd resolves them, so the data directory can be mounted anywhere
/// (docker-compose.yml mounts it at /var/lib/kubemesh) or moved with the repository.
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
            PrivateFiles.Write(path, Render(path, cluster.ApiServerRestUrl, cluster.ApiServerAddress, ClusterTlsExtensions.AdminCredentials(cluster, dataDirectory)));
            e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("KubeMesh.AppHost")
                .LogInformation("kubectl: export KUBECONFIG={Kubeconfig}; kubectl get nodes  (the api-server's REST API is {RestUrl})", path, cluster.ApiServerRestUrl);
            return Task.CompletedTask;
        });
    }

    /// <param name="path">Where the kubeconfig is written: the certificates' paths are given relative to its folder.</param>
    /// <param name="server">The REST URL kubectl talks to.</param>
    /// <param name="grpcServers">Every replica's gRPC URL, for kmctl and KubeMesh.Client (the kubemesh.io/grpc extension, which kubectl ignores).</param>
    /// <param name="credentials">With Cluster:Tls, the user's client certificate and the CA that signed it.</param>
    public static string Render(string path, string server, string grpcServers, IssuedCertificate? credentials = null)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string Relative(string file) => Path.GetRelativePath(directory, Path.GetFullPath(file));
        return $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: kubemesh
          cluster:
            server: {{server}}{{(credentials is null ? "" : "\n    certificate-authority: " + Relative(credentials.CaFile))}}
            extensions:
            - name: {{KubeMesh.Client.Credentials.Kubeconfig.GrpcExtension}}
              extension:
                servers: {{grpcServers}}
        users:
        - name: kubemesh
          user: {{(credentials is null ? "{}" : $"\n    client-certificate: {Relative(credentials.CertFile)}\n    client-key: {Relative(credentials.KeyFile)}")}}
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
}
