namespace KubeMesh.CertificateController;

/// <summary>The certificate controller's settings (section "CertificateController"), as cert-manager's controller flags.</summary>
public sealed class CertificateControllerOptions
{
    public const string Section = "CertificateController";

    /// <summary>--cluster-resource-namespace: where the Secrets a ClusterIssuer names live.</summary>
    public string ClusterResourceNamespace { get; set; } = "cert-manager";

    /// <summary>--acme-http01-solver-image: what the HTTP-01 solver pods run.</summary>
    public string AcmeSolverImage { get; set; } = "quay.io/jetstack/cert-manager-acmesolver:v1.16.2";

    /// <summary>
    /// The DNS server ("ip:port") the HTTP-01 self check resolves challenge names with: the cluster DNS, which
    /// publishes the hosts of Ingresses that have an address.
    /// </summary>
    public string Nameserver { get; set; } = "127.0.0.10:53";

    /// <summary>The port the HTTP-01 self check connects to on the name's address: the ingress's HTTP port.</summary>
    public int Http01SelfCheckPort { get; set; } = 80;

    /// <summary>--certificate-request-minimum-backoff-duration: the first wait after a failed issuance, doubling per failure.</summary>
    public TimeSpan IssuanceBackoffInitial { get; set; } = TimeSpan.FromHours(1);

    /// <summary>--certificate-request-maximum-backoff-duration.</summary>
    public TimeSpan IssuanceBackoffMax { get; set; } = TimeSpan.FromHours(32);

    /// <summary>How often an ACME order or challenge in progress is looked at again.</summary>
    public TimeSpan AcmePollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>--default-issuer-name/kind/group: the issuer of Ingresses with tls and kubernetes.io/tls-acme: "true".</summary>
    public string DefaultIssuerName { get; set; } = "";

    public string DefaultIssuerKind { get; set; } = "Issuer";

    public string DefaultIssuerGroup { get; set; } = "cert-manager.io";

    /// <summary>Per controller worker counts (Controllers:&lt;Name&gt;:Workers), like cert-manager's --max-concurrent-challenges.</summary>
    public Dictionary<string, int> Workers { get; set; } = [];
}
