using System.Threading.Channels;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using Microsoft.Extensions.Options;

namespace KubeMesh.Dns.Records;

/// <summary>
/// Follows Services and Endpoints through shared informers and keeps the current <see cref="DnsZone"/>.
/// Informer handlers only signal; one loop rebuilds the zone from the listers and publishes it with a
/// single reference write, so a burst of changes costs one rebuild and queries never take a lock.
/// </summary>
public sealed partial class ClusterDnsIndex : BackgroundService
{
    private readonly SharedInformerFactory _informers;
    private readonly string _domain;
    private readonly ILogger<ClusterDnsIndex> _logger;
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TaskCompletionSource _firstZone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DnsZone _zone;

    public ClusterDnsIndex(SharedInformerFactory informers, IOptions<DnsOptions> options, ILogger<ClusterDnsIndex> logger)
    {
        _informers = informers;
        _domain = options.Value.ClusterDomain.TrimEnd('.').ToLowerInvariant();
        _logger = logger;
        _zone = DnsZone.Empty(_domain);
        informers.GetInformer<Service>().AddEventHandler(_ => Changed(), (_, _) => Changed(), _ => Changed());
        informers.GetInformer<Endpoints>().AddEventHandler(_ => Changed(), (_, _) => Changed(), _ => Changed());
    }

    public DnsZone Zone => Volatile.Read(ref _zone);

    /// <summary>Completes once the zone reflects the informers' first full list.</summary>
    public Task WaitForFirstZoneAsync(CancellationToken cancellationToken) => _firstZone.Task.WaitAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _informers.Start();
        await _informers.WaitForCacheSyncAsync(stoppingToken);
        Rebuild();
        _firstZone.TrySetResult();
        await foreach (var _ in _changed.Reader.ReadAllAsync(stoppingToken))
        {
            Rebuild();
        }
    }

    private void Changed() => _changed.Writer.TryWrite(true);

    private void Rebuild()
    {
        var services = _informers.GetLister<Service>();
        var endpoints = _informers.GetLister<Endpoints>();
        var zone = DnsZoneBuilder.Build(_domain, services.List(), endpoints.Get);
        Volatile.Write(ref _zone, zone);
        LogZoneBuilt(_logger, zone.Count);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cluster DNS zone rebuilt with {Names} names")]
    private static partial void LogZoneBuilt(ILogger logger, int names);
}
