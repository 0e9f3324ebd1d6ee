using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.CertManager;
using KubeMesh.Api.CertManager.V1;
using CertificateRequest = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace KubeMesh.CertificateController.Pki;

/// <summary>The PKCS#10 request a Certificate's spec stands for (cert-manager's pki.GenerateCSR), signed by its key.</summary>
internal static class CsrBuilder
{
    public static string CreatePem(CertificateSpec spec, AsymmetricAlgorithm key) =>
        Create(spec, key).CreateSigningRequestPem();

    public static CertificateRequest Create(CertificateSpec spec, AsymmetricAlgorithm key)
    {
        var subject = Subject(spec);
        var hash = PrivateKeys.HashFor(key);
        var request = key switch
        {
            RSA rsa => new CertificateRequest(subject, rsa, hash, RSASignaturePadding.Pkcs1),
            ECDsa ec => new CertificateRequest(subject, ec, hash),
            _ => throw new NotSupportedException($"unsupported key type {key.GetType().Name}"),
        };

        if (Names(spec.DnsNames, spec.IpAddresses, spec.Uris, spec.EmailAddresses) is { } names)
        {
            request.CertificateExtensions.Add(names);
        }

        var usages = spec.Usages.ToList();
        if (spec.IsCa && !usages.Contains("cert sign"))
        {
            usages.Add("cert sign");
        }

        AddUsages(request, KeyUsages.Resolve(usages));
        if (spec.IsCa)
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        }

        return request;
    }

    public static X500DistinguishedName Subject(CertificateSpec spec)
    {
        var name = new X500DistinguishedNameBuilder();
        var subject = spec.Subject ?? new X509Subject();
        foreach (var country in subject.Countries)
        {
            name.Add("2.5.4.6", country, UniversalTagNumber.PrintableString);
        }

        subject.Organizations.ToList().ForEach(name.AddOrganizationName);
        subject.OrganizationalUnits.ToList().ForEach(name.AddOrganizationalUnitName);
        subject.Localities.ToList().ForEach(name.AddLocalityName);
        subject.Provinces.ToList().ForEach(name.AddStateOrProvinceName);
        subject.StreetAddresses.ToList().ForEach(s => name.Add("2.5.4.9", s));
        subject.PostalCodes.ToList().ForEach(s => name.Add("2.5.4.17", s));
        if (subject.SerialNumber.Length > 0)
        {
            name.Add("2.5.4.5", subject.SerialNumber, UniversalTagNumber.PrintableString);
        }

        if (spec.CommonName.Length > 0)
        {
            name.AddCommonName(spec.CommonName);
        }

        return name.Build();
    }

    public static X509Extension? Names(IEnumerable<string> dnsNames, IEnumerable<string> ipAddresses, IEnumerable<string> uris, IEnumerable<string> emails)
    {
        var builder = new SubjectAlternativeNameBuilder();
        var any = false;
        foreach (var dns in dnsNames)
        {
            builder.AddDnsName(dns);
            any = true;
        }

        foreach (var ip in ipAddresses)
        {
            builder.AddIpAddress(IPAddress.Parse(ip));
            any = true;
        }

        foreach (var uri in uris)
        {
            builder.AddUri(new Uri(uri));
            any = true;
        }

        foreach (var email in emails)
        {
            builder.AddEmailAddress(email);
            any = true;
        }

        return any ? builder.Build() : null;
    }

    public static void AddUsages(CertificateRequest request, (X509KeyUsageFlags Bits, IReadOnlyList<string> ExtendedOids) usages)
    {
        if (usages.Bits != X509KeyUsageFlags.None)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(usages.Bits, true));
        }

        if (usages.ExtendedOids.Count > 0)
        {
            var oids = new OidCollection();
            foreach (var oid in usages.ExtendedOids)
            {
                oids.Add(new Oid(oid));
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        }
    }
}
