using System.Globalization;
using System.Net;
using KubeMesh.Api.Security;

namespace KubeMesh.AppHost;

/// <summary>
/// With Cluster:Tls, what kubeadm sets up: the cluster CA in the data directory's pki folder, the api-servers' serving
/// certificate for 127.0.0.1 and localhost on their gRPC and REST ports, each kubelet's serving certificate for its node
/// address, the api-server's kubelet client certificate, and a client certificate and kubeconfig per component
/// (kubeconfigs/NAME.conf) naming it as Kubernetes names its components (hollow nodes get one each: see
/// HollowNodeExtensions); the api-servers authorize with Node,RBAC. Certificates are issued when the AppHost starts
/// (not while its model is built, so reading the model writes nothing), again when missing or near expiry.
/// </summary>
public static class ClusterTlsExtensions
{
    public static void UseClusterTls(this IDistributedApplicationBuilder builder, ClusterOptions cluster, string dataDirectory)
    {
        if (!cluster.Tls)
        {
            return;
        }

        var pkiDirectory = Path.Combine(dataDirectory, "pki");
        var certificates = new List<(string Name, CertificateProfile Profile)>();
        var kubeconfigs = new List<(string Path, IssuedCertificate Credentials)>();
        IssuedCertificate Plan(string name, CertificateProfile profile)
        {
            certificates.Add((name, profile));
            return ClusterPki.FilesOf(pkiDirectory, name);
        }

        builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            using var pki = ClusterPki.Open(pkiDirectory);
            foreach (var (name, profile) in certificates)
            {
                pki.Ensure(name, profile);
            }

            foreach (var (path, credentials) in kubeconfigs)
            {
                PrivateFiles.Write(path, KubeconfigExtensions.Render(path, cluster.ApiServerRestUrl, cluster.ApiServerAddress, credentials));
            }

            return Task.CompletedTask;
        });

        // As kubeadm's apiserver certificate: the names and the address pods reach it by, through default/kubernetes.
        var serving = Plan("apiserver", CertificateProfile.Server(
            "kube-apiserver",
            ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"],
            [IPAddress.Loopback, cluster.KubernetesServiceIp]));
        var kubeletClient = Plan("apiserver-kubelet-client", CertificateProfile.Client("kube-apiserver-kubelet-client", "kubeadm:cluster-admins"));
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToArray())
        {
            var resource = builder.CreateResourceBuilder(project);
            if (project.Name.StartsWith("api-server-", StringComparison.Ordinal))
            {
                var replica = int.Parse(project.Name["api-server-".Length..], CultureInfo.InvariantCulture);
                resource
                    .WithEnvironment("Kestrel__Endpoints__Grpc__Url", "https://127.0.0.1:" + cluster.ApiServerPortOf(replica).ToString(CultureInfo.InvariantCulture))
                    .WithEnvironment("Kestrel__Endpoints__Rest__Url", "https://127.0.0.1:" + cluster.ApiServerRestPortOf(replica).ToString(CultureInfo.InvariantCulture))
                    .WithEnvironment("ApiServer__Tls__CertFile", serving.CertFile)
                    .WithEnvironment("ApiServer__Tls__KeyFile", serving.KeyFile)
                    .WithEnvironment("ApiServer__Tls__ClientCaFile", serving.CaFile)
                    .WithEnvironment("ApiServer__KubeletClient__CertFile", kubeletClient.CertFile)
                    .WithEnvironment("ApiServer__KubeletClient__KeyFile", kubeletClient.KeyFile)
                    .WithEnvironment("ApiServer__KubeletClient__CaFile", serving.CaFile)
                    // As kubeadm runs kube-apiserver: each kubelet reaches only what its own pods use, everyone else
                    // what their roles grant.
                    .WithEnvironment("Authorization__Mode", "Node,RBAC");
                continue;
            }

            if (Identity(project.Name) is not { } identity)
            {
                continue;
            }

            var kubeconfig = Path.Combine(dataDirectory, "kubeconfigs", project.Name + ".conf");
            kubeconfigs.Add((kubeconfig, Plan(project.Name, identity)));
            resource
                .WithEnvironment("ApiServer__Address", cluster.ApiServerAddress)
                .WithEnvironment("ApiServer__Kubeconfig", kubeconfig);
            if (project.Name.StartsWith("kubelet-node", StringComparison.Ordinal))
            {
                var node = int.Parse(project.Name["kubelet-node".Length..], CultureInfo.InvariantCulture);
                // The node's address is its pod range's .1, where the kubelet listens.
                var bytes = IPAddress.Parse(cluster.PodCidrOf(node).Split('/')[0]).GetAddressBytes();
                bytes[3] = 1;
                var address = new IPAddress(bytes);
                var kubelet = Plan(project.Name + "-serving", CertificateProfile.Server("node-" + node, ["node-" + node], [address]));
                resource
                    .WithEnvironment("Kubelet__Tls__CertFile", kubelet.CertFile)
                    .WithEnvironment("Kubelet__Tls__KeyFile", kubelet.KeyFile)
                    .WithEnvironment("Kubelet__Tls__ClientCaFile", kubelet.CaFile);
            }
        }
    }

    /// <summary>The admin's client certificate (kubeadm's admin.conf user), for the kubeconfig the AppHost writes.</summary>
    public static IssuedCertificate? AdminCredentials(ClusterOptions cluster, string dataDirectory)
    {
        if (!cluster.Tls)
        {
            return null;
        }

        using var pki = ClusterPki.Open(Path.Combine(dataDirectory, "pki"));
        return pki.Ensure("admin", CertificateProfile.Client("kubernetes-admin", "system:masters"));
    }

    /// <summary>Who each component is, in Kubernetes' names; null for processes that never call the api-server (the store).</summary>
    private static CertificateProfile? Identity(string resource) => resource switch
    {
        "store" => null,
        // Every hollow node has credentials of its own (HollowNodeExtensions); their process has none.
        _ when resource.StartsWith(HollowNodeExtensions.ResourcePrefix, StringComparison.Ordinal) => null,
        _ when resource.StartsWith("scheduler-", StringComparison.Ordinal) => CertificateProfile.Client("system:kube-scheduler"),
        _ when resource.StartsWith("controller-manager-", StringComparison.Ordinal) => CertificateProfile.Client("system:kube-controller-manager"),
        _ when resource.StartsWith("kubelet-node", StringComparison.Ordinal) => CertificateProfile.Client("system:node:node-" + resource["kubelet-node".Length..], "system:nodes"),
        "proxy" => CertificateProfile.Client("system:kube-proxy"),
        "dns" => CertificateProfile.Client("system:kube-dns"),
        // Components Kubernetes does not have are named in the api-server's bootstrap policy under system:kubemesh:.
        _ => CertificateProfile.Client("system:kubemesh:" + resource),
    };
}
