namespace KubeMesh.ApiServer.Authentication;

/// <summary>
/// The Authentication section, as kube-apiserver's flags: --token-auth-file, --client-ca-file, --anonymous-auth.
/// </summary>
public sealed class AuthenticationOptions
{
    public const string Section = "Authentication";

    /// <summary>A CSV of bearer tokens: token,user,uid,"group1,group2" per line (--token-auth-file).</summary>
    public string? TokenAuthFile { get; set; }

    /// <summary>
    /// PEM bundle of the CAs whose client certificates authenticate as CN = user, O = groups (--client-ca-file).
    /// Unset: client certificates are not a credential.
    /// </summary>
    public string? ClientCAFile { get; set; }

    /// <summary>Requests without credentials are system:anonymous in system:unauthenticated (--anonymous-auth).</summary>
    public bool Anonymous { get; set; } = true;

    /// <summary>
    /// The PEM private key (P-256) service-account tokens are signed and verified with, created there at first start
    /// when missing (--service-account-signing-key-file). Unset: no TokenRequest, no service-account tokens, and
    /// pods get no token volume.
    /// </summary>
    public string? ServiceAccountSigningKeyFile { get; set; }

    /// <summary>
    /// More PEM keys (public, or private whose public half is used; P-256) that tokens may be signed with
    /// (--service-account-key-file, repeatable): the previous signing key while its tokens still live, during a rotation.
    /// </summary>
    public List<string> ServiceAccountKeyFiles { get; set; } = [];

    /// <summary>The "iss" of the tokens this api-server signs and accepts (--service-account-issuer).</summary>
    public string ServiceAccountIssuer { get; set; } = "https://kubernetes.default.svc.cluster.local";

    /// <summary>The audiences a token must name one of to authenticate here (--api-audiences); empty: the issuer.</summary>
    public List<string> ApiAudiences { get; set; } = [];
}
