using System.Security.Cryptography.X509Certificates;

namespace KubeMesh.Api.Security;

/// <summary>
/// Verifies that a peer's certificate chains to one of the given roots (the cluster CA) and may be used as asked:
/// what kube-apiserver's --client-ca-file and a kubeconfig's certificate-authority do, with no system roots involved.
/// </summary>
public sealed class CertificateTrust(X509Certificate2Collection roots)
{
    public X509Certificate2Collection Roots { get; } = roots;

    public static CertificateTrust FromPemFile(string caFile) => new(PemFiles.LoadBundle(File.ReadAllText(caFile)));

    /// <summary>True when <paramref name="certificate"/> is within its validity, signed by a root and issued for <paramref name="usage"/>.</summary>
    public bool Verify(X509Certificate2 certificate, CertificateUsage usage, X509Certificate2Collection? intermediates = null)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.ApplicationPolicy.Add(usage == CertificateUsage.Client ? CertificateAuthority.ClientAuth : CertificateAuthority.ServerAuth);
        if (intermediates is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        }

        return chain.Build(certificate);
    }
}
