namespace KubeMesh.ServiceDefaults.Tls;

/// <summary>
/// A server's TLS settings, as kube-apiserver's --tls-cert-file, --tls-private-key-file and --client-ca-file (and the
/// kubelet's flags of the same names): PEM files of the serving certificate, its key, and the CA whose client
/// certificates are accepted.
/// </summary>
public sealed class ServingTlsOptions
{
    public string? CertFile { get; set; }

    public string? KeyFile { get; set; }

    public string? ClientCaFile { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(CertFile);
}
