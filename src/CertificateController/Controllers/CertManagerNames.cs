namespace KubeMesh.CertificateController.Controllers;

/// <summary>The annotation and label keys cert-manager writes and reads (pkg/apis/certmanager/v1/types.go).</summary>
internal static class CertManagerNames
{
    public const string Group = "cert-manager.io";
    public const string CertificateName = "cert-manager.io/certificate-name";
    public const string IssuerName = "cert-manager.io/issuer-name";
    public const string IssuerKind = "cert-manager.io/issuer-kind";
    public const string IssuerGroup = "cert-manager.io/issuer-group";
    public const string CommonName = "cert-manager.io/common-name";
    public const string AltNames = "cert-manager.io/alt-names";
    public const string IpSans = "cert-manager.io/ip-sans";
    public const string UriSans = "cert-manager.io/uri-sans";
    public const string EmailSans = "cert-manager.io/email-sans";
    public const string CertificateRevision = "cert-manager.io/certificate-revision";
    public const string PrivateKeySecretName = "cert-manager.io/private-key-secret-name";
    public const string NextPrivateKey = "cert-manager.io/next-private-key";
    public const string PartOfCertManager = "controller.cert-manager.io/fao";

    // ingress-shim's annotations on Ingresses.
    public const string IngressIssuer = "cert-manager.io/issuer";
    public const string IngressClusterIssuer = "cert-manager.io/cluster-issuer";
    public const string IngressIssuerKind = "cert-manager.io/issuer-kind";
    public const string IngressIssuerGroup = "cert-manager.io/issuer-group";
    public const string TlsAcme = "kubernetes.io/tls-acme";
    public const string Duration = "cert-manager.io/duration";
    public const string RenewBefore = "cert-manager.io/renew-before";
    public const string Usages = "cert-manager.io/usages";
    public const string PrivateKeyAlgorithm = "cert-manager.io/private-key-algorithm";
    public const string PrivateKeySize = "cert-manager.io/private-key-size";
    public const string PrivateKeyRotationPolicy = "cert-manager.io/private-key-rotation-policy";
    public const string PrivateKeyEncoding = "cert-manager.io/private-key-encoding";
    public const string RevisionHistoryLimit = "cert-manager.io/revision-history-limit";

    // ACME HTTP-01 solver resources.
    public const string Http01IngressClassOverride = "acme.cert-manager.io/http01-override-ingress-class";
    public const string Http01IngressNameOverride = "acme.cert-manager.io/http01-override-ingress-name";
    public const string Http01EditInPlace = "acme.cert-manager.io/http01-edit-in-place";
    public const string Http01IngressClass = "acme.cert-manager.io/http01-ingress-class";
    public const string DomainLabel = "acme.cert-manager.io/http-domain";
    public const string TokenLabel = "acme.cert-manager.io/http-token";
    public const string SolverLabel = "acme.cert-manager.io/http01-solver";
}
