using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KubeMesh.Api.Security;

/// <summary>
/// The cluster's PKI directory, as kubeadm's /etc/kubernetes/pki: a CA created on first use and reused after
/// (ca.crt, ca.key), and NAME.crt / NAME.key per issued certificate. A certificate is issued again when it is
/// missing or unreadable, no longer chains to the CA, names other subjects or hosts than asked, or has less than
/// a third of its lifetime left (the kubelet's rotation threshold is of the same order).
/// </summary>
public sealed class ClusterPki : IDisposable
{
    public const string CaName = "ca";

    private readonly TimeProvider _clock;

    private ClusterPki(string directory, CertificateAuthority authority, TimeProvider clock)
    {
        Directory = directory;
        Authority = authority;
        _clock = clock;
        Trust = new CertificateTrust([X509CertificateLoader.LoadCertificate(authority.Certificate.RawData)]);
    }

    public string Directory { get; }

    public CertificateAuthority Authority { get; }

    public CertificateTrust Trust { get; }

    public string CaFile => PathOf(CaName, ".crt");

    /// <summary>Opens the PKI in <paramref name="directory"/>, creating its CA when there is none or the one there is near its end.</summary>
    public static ClusterPki Open(string directory, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        var certFile = Path.Combine(directory, CaName + ".crt");
        var keyFile = Path.Combine(directory, CaName + ".key");
        var ca = TryLoad(certFile, keyFile);
        if (ca is null || NeedsRenewal(ca, clock))
        {
            ca?.Dispose();
            using var created = CertificateAuthority.Create("kubernetes", CertificateAuthority.DefaultValidity, clock);
            PemFiles.Write(created.Certificate, certFile, keyFile);
            ca = PemFiles.Load(certFile, keyFile);
        }

        return new ClusterPki(directory, new CertificateAuthority(ca, clock), clock);
    }

    /// <summary>
    /// The files of certificate <paramref name="name"/>, issued now if what is on disk does not fit <paramref name="profile"/>.
    /// A name may sit in a folder of the PKI ("hollow-nodes/hollow-node-1"), for sets of many certificates.
    /// </summary>
    public IssuedCertificate Ensure(string name, CertificateProfile profile)
    {
        var issued = FilesOf(Directory, name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(issued.CertFile)!);
        using var existing = TryLoad(issued.CertFile, issued.KeyFile);
        if (existing is null || NeedsRenewal(existing, _clock) || !Fits(existing, profile)
            || !Trust.Verify(existing, profile.Usage.HasFlag(CertificateUsage.Server) ? CertificateUsage.Server : CertificateUsage.Client))
        {
            using var certificate = Authority.Issue(profile);
            PemFiles.Write(certificate, issued.CertFile, issued.KeyFile);
        }

        return issued;
    }

    public void Dispose() => Authority.Dispose();

    /// <summary>
    /// Where certificate <paramref name="name"/> of the PKI in <paramref name="directory"/> is kept, issued or not: what
    /// a component can be told before <see cref="Ensure"/> runs.
    /// </summary>
    public static IssuedCertificate FilesOf(string directory, string name)
    {
        if (string.IsNullOrEmpty(name) || name == CaName || name.Split('/').Any(part => part.Length == 0 || part.IndexOfAny(['\\', '.']) >= 0))
        {
            throw new ArgumentException($"invalid certificate name \"{name}\"", nameof(name));
        }

        directory = Path.GetFullPath(directory);
        return new IssuedCertificate(Path.Combine(directory, name + ".crt"), Path.Combine(directory, name + ".key"), Path.Combine(directory, CaName + ".crt"));
    }

    private string PathOf(string name, string extension) => Path.Combine(Directory, name + extension);

    private static X509Certificate2? TryLoad(string certFile, string keyFile)
    {
        if (!File.Exists(certFile) || !File.Exists(keyFile))
        {
            return null;
        }

        try
        {
            return PemFiles.Load(certFile, keyFile);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static bool NeedsRenewal(X509Certificate2 certificate, TimeProvider clock)
    {
        var notBefore = certificate.NotBefore.ToUniversalTime();
        var notAfter = certificate.NotAfter.ToUniversalTime();
        var remaining = notAfter - clock.GetUtcNow().UtcDateTime;
        return remaining < (notAfter - notBefore) / 3;
    }

    private static bool Fits(X509Certificate2 certificate, CertificateProfile profile)
    {
        if (certificate.GetNameInfo(X509NameType.SimpleName, false) != profile.CommonName)
        {
            return false;
        }

        var organizations = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(n => n.GetSingleElementType().Value == "2.5.4.10")
            .Select(n => n.GetSingleElementValue())
            .Order(StringComparer.Ordinal);
        if (!organizations.SequenceEqual(profile.Organizations.Order(StringComparer.Ordinal)))
        {
            return false;
        }

        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        var dns = names?.EnumerateDnsNames().Order(StringComparer.Ordinal).ToArray() ?? [];
        var ips = names?.EnumerateIPAddresses().Select(a => a.ToString()).Order(StringComparer.Ordinal).ToArray() ?? [];
        return dns.SequenceEqual(profile.DnsNames.Order(StringComparer.Ordinal))
            && ips.SequenceEqual(profile.IpAddresses.Select(a => a.ToString()).Order(StringComparer.Ordinal));
    }
}
