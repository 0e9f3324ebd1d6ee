using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KubeMesh.ApiServer.Authentication;

/// <summary>
/// Client certificates as kube-apiserver reads them (--client-ca-file): a certificate that chains to one of the
/// client CAs, is within its validity and may be used for client authentication names the user in its subject's
/// common name and the groups in its organizations. The chain is verified here, whatever the TLS layer did: once
/// per certificate object (a connection's, which every request on that HTTP/2 connection presents), and again for
/// a request outside the verified chain's validity, so a certificate that expires on a long-lived connection stops
/// authenticating when it expires.
/// </summary>
public sealed class X509Authenticator
{
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private readonly X509Certificate2Collection _roots;
    private readonly TimeProvider _clock;
    private readonly ConditionalWeakTable<X509Certificate2, Verified> _verified = new();

    public X509Authenticator(X509Certificate2Collection roots, TimeProvider clock)
    {
        if (roots.Count == 0)
        {
            throw new InvalidOperationException($"{AuthenticationOptions.Section}:ClientCAFile: Invalid value: holds no certificate");
        }

        _roots = roots;
        _clock = clock;
    }

    public static X509Authenticator Load(string path, TimeProvider clock)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{AuthenticationOptions.Section}:ClientCAFile: Invalid value: \"{path}\": no such file");
        }

        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(path);
        return new X509Authenticator(roots, clock);
    }

    /// <summary>The user the certificate names.</summary>
    /// <exception cref="AuthenticationException">The certificate does not verify against the client CAs, or names no user.</exception>
    public UserInfo Authenticate(X509Certificate2 certificate)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        if (_verified.TryGetValue(certificate, out var verified) && now >= verified.NotBefore && now <= verified.NotAfter)
        {
            return verified.User;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _clock.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthOid));
        if (!chain.Build(certificate))
        {
            var why = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            throw new AuthenticationException($"x509: certificate signed by unknown authority or not valid for client authentication ({why})");
        }

        var subject = certificate.SubjectName;
        var name = Attribute(subject, "2.5.4.3").FirstOrDefault() ?? "";
        if (name.Length == 0)
        {
            throw new AuthenticationException("x509: the client certificate's subject has no common name");
        }

        var user = new UserInfo(name, "", Attribute(subject, "2.5.4.10"));
        var elements = chain.ChainElements.Select(e => e.Certificate).ToList();
        _verified.AddOrUpdate(certificate, new Verified(
            user,
            elements.Max(c => c.NotBefore.ToUniversalTime()),
            elements.Min(c => c.NotAfter.ToUniversalTime())));
        return user;
    }

    /// <summary>Who a verified certificate names, and the instants its whole chain is valid between.</summary>
    private sealed record Verified(UserInfo User, DateTime NotBefore, DateTime NotAfter);

    /// <summary>Every value of one attribute of a distinguished name, in order (O may appear several times).</summary>
    private static List<string> Attribute(X500DistinguishedName name, string oid) =>
        name.EnumerateRelativeDistinguishedNames()
            .Where(rdn => rdn.GetSingleElementType().Value == oid)
            .Select(rdn => rdn.GetSingleElementValue() ?? "")
            .Where(v => v.Length > 0)
            .ToList();
}

/// <summary>A credential was presented but does not authenticate: 401 / UNAUTHENTICATED, never anonymous.</summary>
public sealed class AuthenticationException(string message) : Exception(message);
