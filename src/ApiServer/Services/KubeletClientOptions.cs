namespace KubeMesh.ApiServer.Services;

/// <summary>
/// How the api-server dials kubelets (kube-apiserver's --kubelet-client-certificate, --kubelet-client-key and
/// --kubelet-certificate-authority): with a client certificate, over TLS, trusting only the given CA; without one, in
/// cleartext to kubelets that serve that way.
/// </summary>
public sealed class KubeletClientOptions
{
    public const string Section = "ApiServer:KubeletClient";

    public string? CertFile { get; set; }

    public string? KeyFile { get; set; }

    public string? CaFile { get; set; }
}
