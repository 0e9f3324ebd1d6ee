using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Options;
using Wire = ARSoft.Tools.Net.Dns;

namespace KubeMesh.Dns.Resolution;

/// <summary>
/// Sends questions outside the cluster to the upstream resolver with DnsClient (CoreDNS's "forward .
/// /etc/resolv.conf") and copies its answer back: records of the common types, and its response code.
/// </summary>
public sealed partial class UpstreamForwarder
{
    private readonly LookupClient _client;
    private readonly ILogger<UpstreamForwarder> _logger;

    public UpstreamForwarder(IOptions<DnsOptions> options, ILogger<UpstreamForwarder> logger)
    {
        _logger = logger;
        Upstream = UpstreamResolver.Resolve(options);
        _client = new LookupClient(new LookupClientOptions(new NameServer(Upstream))
        {
            Timeout = options.Value.UpstreamTimeout,
            Retries = 1,
            UseCache = true,
            UseTcpFallback = true,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
        });
    }

    public System.Net.IPEndPoint Upstream { get; }

    public async Task<DnsMessage> ForwardAsync(DnsMessage query, CancellationToken cancellationToken)
    {
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = true;
        var question = query.Questions[0];
        try
        {
            var answer = await _client.QueryAsync(question.Name.ToString(), (QueryType)(int)question.RecordType, (QueryClass)(int)question.RecordClass, cancellationToken);
            response.ReturnCode = (ReturnCode)(int)answer.Header.ResponseCode;
            response.AnswerRecords.AddRange(answer.Answers.Select(Convert).OfType<DnsRecordBase>());
            response.AuthorityRecords.AddRange(answer.Authorities.Select(Convert).OfType<DnsRecordBase>());
        }
        catch (DnsResponseException ex)
        {
            LogUpstreamFailed(_logger, question.Name.ToString(), Upstream.ToString(), ex.Message);
            response.ReturnCode = ReturnCode.ServerFailure;
        }

        return response;
    }

    private static DnsRecordBase? Convert(DnsResourceRecord record)
    {
        var name = DomainName.Parse(record.DomainName.Value);
        var ttl = record.TimeToLive;
        return record switch
        {
            DnsClient.Protocol.ARecord a => new Wire.ARecord(name, ttl, a.Address),
            DnsClient.Protocol.AaaaRecord a => new Wire.AaaaRecord(name, ttl, a.Address),
            DnsClient.Protocol.CNameRecord c => new Wire.CNameRecord(name, ttl, DomainName.Parse(c.CanonicalName.Value)),
            DnsClient.Protocol.PtrRecord p => new Wire.PtrRecord(name, ttl, DomainName.Parse(p.PtrDomainName.Value)),
            DnsClient.Protocol.NsRecord n => new Wire.NsRecord(name, ttl, DomainName.Parse(n.NSDName.Value)),
            DnsClient.Protocol.MxRecord m => new Wire.MxRecord(name, ttl, m.Preference, DomainName.Parse(m.Exchange.Value)),
            DnsClient.Protocol.SrvRecord s => new Wire.SrvRecord(name, ttl, s.Priority, s.Weight, s.Port, DomainName.Parse(s.Target.Value)),
            DnsClient.Protocol.TxtRecord t => new Wire.TxtRecord(name, ttl, t.Text.ToArray()),
            DnsClient.Protocol.SoaRecord s => new Wire.SoaRecord(name, ttl, DomainName.Parse(s.MName.Value), DomainName.Parse(s.RName.Value),
                s.Serial, (int)s.Refresh, (int)s.Retry, (int)s.Expire, (int)s.Minimum),
            _ => null,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream {Upstream} did not answer {Name}: {Reason}")]
    private static partial void LogUpstreamFailed(ILogger logger, string name, string upstream, string reason);
}
