using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using KubeMesh.Dns.Records;
using Microsoft.Extensions.Options;

namespace KubeMesh.Dns.Resolution;

/// <summary>
/// Answers questions about the cluster domain and the cluster's addresses from the current zone, as
/// CoreDNS's kubernetes plugin does, and the hosts of Ingresses with an address, as external-dns would publish
/// them; returns null for everything else, which goes to the upstream.
/// </summary>
public sealed class ClusterDnsResolver
{
    private const string ReverseSuffix = ".in-addr.arpa";
    private readonly ClusterDnsIndex _index;
    private readonly int _ttl;
    private readonly string _domain;
    private readonly SoaRecord _soa;

    public ClusterDnsResolver(ClusterDnsIndex index, IOptions<DnsOptions> options)
    {
        _index = index;
        _ttl = options.Value.TtlSeconds;
        _domain = options.Value.ClusterDomain.TrimEnd('.').ToLowerInvariant();
        // Negative answers carry the zone's SOA so resolvers know how long to cache them (RFC 2308).
        _soa = new SoaRecord(DomainName.Parse(_domain), _ttl, DomainName.Parse("ns.dns." + _domain),
            DomainName.Parse("hostmaster." + _domain), 1, 7200, 1800, 86400, _ttl);
    }

    public DnsMessage? TryAnswer(DnsMessage query)
    {
        if (query.Questions.Count != 1)
        {
            return null;
        }

        var question = query.Questions[0];
        var name = Normalize(question.Name);
        if (name == _domain || name.EndsWith("." + _domain, StringComparison.Ordinal))
        {
            return AnswerClusterName(query, question, name);
        }

        if (_index.Zone.IngressHosts.Find(name) is { } ingressAddresses)
        {
            return AnswerIngressHost(query, question, ingressAddresses);
        }

        return name.EndsWith(ReverseSuffix, StringComparison.Ordinal) ? AnswerReverse(query, question, name) : null;
    }

    /// <summary>An Ingress host: its A records, and an empty answer for other types (no AAAA) rather than NXDOMAIN.</summary>
    private DnsMessage AnswerIngressHost(DnsMessage query, DnsQuestion question, IPAddress[] addresses)
    {
        var response = Response(query);
        if (question.RecordType is RecordType.A or RecordType.Any)
        {
            response.AnswerRecords.AddRange(addresses.Select(ip => new ARecord(question.Name, _ttl, ip)));
        }

        return response;
    }

    internal static string Normalize(DomainName name) => name.ToString().TrimEnd('.').ToLowerInvariant();

    private DnsMessage AnswerClusterName(DnsMessage query, DnsQuestion question, string name)
    {
        var response = Response(query);
        var zone = _index.Zone;
        var entry = zone.Find(name);
        if (entry is null && PodAddress(name) is { } podIp)
        {
            entry = new DnsNameEntry();
            entry.Addresses.Add(podIp);
        }

        if (entry is null)
        {
            response.ReturnCode = ReturnCode.NxDomain;
            response.AuthorityRecords.Add(_soa);
            return response;
        }

        var type = question.RecordType;
        if (entry.CanonicalName is { } target)
        {
            // ExternalName: the CNAME answers any type; the client chases the outside name itself.
            if (type is not (RecordType.Soa or RecordType.Ns))
            {
                response.AnswerRecords.Add(new CNameRecord(question.Name, _ttl, DomainName.Parse(target)));
            }
        }
        else
        {
            if (type is RecordType.A or RecordType.Any)
            {
                response.AnswerRecords.AddRange(entry.Addresses.Select(ip => new ARecord(question.Name, _ttl, ip)));
            }

            if (type is RecordType.Srv or RecordType.Any)
            {
                response.AnswerRecords.AddRange(entry.Services.Select(s => new SrvRecord(question.Name, _ttl, 0, (ushort)(100 / entry.Services.Count), s.Port, DomainName.Parse(s.Target))));
            }

            if (type == RecordType.Soa && name == _domain)
            {
                response.AnswerRecords.Add(_soa);
            }
        }

        if (response.AnswerRecords.Count == 0)
        {
            response.AuthorityRecords.Add(_soa);
        }

        return response;
    }

    private DnsMessage? AnswerReverse(DnsMessage query, DnsQuestion question, string name)
    {
        var labels = name[..^ReverseSuffix.Length].Split('.');
        if (labels.Length != 4 || !IPAddress.TryParse(string.Join('.', labels.Reverse()), out var ip)
            || _index.Zone.PointersFor(ip) is not { } names)
        {
            return null;
        }

        var response = Response(query);
        if (question.RecordType is RecordType.Ptr or RecordType.Any)
        {
            response.AnswerRecords.AddRange(names.Select(n => new PtrRecord(question.Name, _ttl, DomainName.Parse(n))));
        }

        return response;
    }

    /// <summary>"10-1-2-3.default.pod.cluster.local" names its own dashed address, as kube-dns's "pods insecure" mode does.</summary>
    private IPAddress? PodAddress(string name)
    {
        var suffix = ".pod." + _domain;
        if (!name.EndsWith(suffix, StringComparison.Ordinal))
        {
            return null;
        }

        var labels = name[..^suffix.Length].Split('.');
        return labels.Length == 2 && labels[0].Count(c => c == '-') == 3 && IPAddress.TryParse(labels[0].Replace('-', '.'), out var ip)
            && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? ip
            : null;
    }

    private static DnsMessage Response(DnsMessage query)
    {
        var response = query.CreateResponseInstance();
        response.ReturnCode = ReturnCode.NoError;
        response.IsAuthoritiveAnswer = true;
        response.IsRecursionAllowed = true;
        return response;
    }
}
