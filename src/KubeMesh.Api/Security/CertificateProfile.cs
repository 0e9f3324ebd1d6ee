using System.Net;

namespace KubeMesh.Api.Security;

/// <summary>
/// What a certificate says, as kubeadm's certificate specs do: the subject's common name is the user and its
/// organizations the groups (how kube-apiserver reads a client certificate), the names a serving certificate answers
/// for, and what the key may be used for.
/// </summary>
public sealed record CertificateProfile(string CommonName, CertificateUsage Usage, TimeSpan Validity)
{
    /// <summary>kubeadm's default lifetime for leaf certificates (one year); the CA lives ten.</summary>
    public static readonly TimeSpan DefaultValidity = TimeSpan.FromDays(365);

    public IReadOnlyList<string> Organizations { get; init; } = [];

    public IReadOnlyList<string> DnsNames { get; init; } = [];

    public IReadOnlyList<IPAddress> IpAddresses { get; init; } = [];

    /// <summary>A client certificate for <paramref name="user"/> in <paramref name="groups"/>.</summary>
    public static CertificateProfile Client(string user, params string[] groups) =>
        new(user, CertificateUsage.Client, DefaultValidity) { Organizations = groups };

    /// <summary>A serving certificate for the given host names and addresses (each becomes a subject alternative name).</summary>
    public static CertificateProfile Server(string commonName, IEnumerable<string> dnsNames, IEnumerable<IPAddress> ipAddresses) =>
        new(commonName, CertificateUsage.Server, DefaultValidity) { DnsNames = [.. dnsNames], IpAddresses = [.. ipAddresses] };
}
