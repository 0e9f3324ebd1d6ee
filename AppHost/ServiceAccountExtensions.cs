using KubeMesh.Api.Security;

namespace KubeMesh.AppHost;

public static class ServiceAccountExtensions
{
    /// <summary>
    /// Service accounts as kubeadm sets them up: the signing key pki/sa.key, made here before any replica starts,
    /// given to every api-server (tokens, TokenRequest, the ServiceAccount admission step), and the cluster CA given to
    /// the controller-manager, which publishes it as kube-root-ca.crt for pods' kube-api-access volumes.
    /// </summary>
    public static void AddServiceAccounts(this IDistributedApplicationBuilder builder, string dataDirectory)
    {
        var pki = Path.Combine(dataDirectory, "pki");
        var signingKey = Path.Combine(pki, ServiceAccountKeyFile.FileName);
        ServiceAccountKeyFile.ReadOrCreate(signingKey);
        using (ClusterPki.Open(pki))
        {
            // Makes pki/ca.crt when TLS has not yet.
        }

        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            if (project.Name.StartsWith("api-server-", StringComparison.Ordinal))
            {
                builder.CreateResourceBuilder(project).WithEnvironment("Authentication__ServiceAccountSigningKeyFile", signingKey);
            }
            else if (project.Name.StartsWith("controller-manager-", StringComparison.Ordinal))
            {
                builder.CreateResourceBuilder(project).WithEnvironment("Controllers__RootCaCertPublisher__RootCaFile", Path.Combine(pki, ClusterPki.CaName + ".crt"));
            }
        }
    }
}
