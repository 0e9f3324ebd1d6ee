using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using Microsoft.Extensions.Options;

namespace KubeMesh.Dns.Records;

/// <summary>
/// Follows Services and Endpoints through shared informers and keeps the current <see cref="DnsZone"/>.
/// Informer changes only request a rebuild from the <see cref="RebuildReconciler"/>, which rebuilds the zone from
/// the listers and publishes it with a single reference write, so a burst of changes costs one rebuild and
/// queries never take a lock. A rebuild that throws keeps the previous zone, is logged and retried with back-off;
/// it never ends the DNS.
/// </summary>
public sealed partial class ClusterDnsIndex : BackgroundService
{
    private readonly SharedInformerFactory _informers;
    private readonly string _domain;
    private readonly ILogger<ClusterDnsIndex> _logger;
    private readonly Lister<Service> _services;
    private readonly Lister<Endpoints> _endpoints;
    private readonly Func<string, IEnumerable<Service>, Func<string, string, Endpoints?>, DnsZone> _build;
    private readonly RebuildReconciler _rebuild;
    private DnsZone _zone;

    public ClusterDnsIndex(SharedInformerFactory informers, IOptions<DnsOptions> options, ILogger<ClusterDnsIndex> logger)
        : this(informers, options, logger, DnsZoneBuilder.Build)
    {
    }

    /// <param name="build">How a zone is built from the caches; a test gives one that fails.</param>
    internal ClusterDnsIndex(
        SharedInformerFactory informers,
        IOptions<DnsOptions> options,
        ILogger<ClusterDnsIndex> logger,
        Func<string, IEnumerable<Service>, Func<string, string, Endpoints?>, DnsZone> build)
    {
        _informers = informers;
        _domain = options.Value.ClusterDomain.TrimEnd('.').ToLowerInvariant();
        _logger = logger;
        _build = build;
        _zone = DnsZone.Empty(_domain);
        var services = informers.GetInformer<Service>();
        var endpoints = informers.GetInformer<Endpoints>();
        _services = services.Lister;
        _endpoints = endpoints.Lister;
        _rebuild = new RebuildReconciler("dns", RebuildAsync, logger: logger);
        _rebuild.Watch(services);
        _rebuild.Watch(endpoints);
    }

    public DnsZone Zone => Volatile.Read(ref _zone);

    /// <summary>Rebuilds that failed since the last one that succeeded: the zone served is older than the caches.</summary>
    public int ConsecutiveFailures => _rebuild.ConsecutiveFailures;

    /// <summary>Completes once the zone reflects the informers' first full list.</summary>
    public Task WaitForFirstZoneAsync(CancellationToken cancellationToken) => _rebuild.WaitForFirstSuccessAsync(cancellationToken);

    public override void Dispose()
    {
        _rebuild.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _informers.Start();
        return _rebuild.RunAsync(stoppingToken);
    }

    private Task<bool> RebuildAsync(CancellationToken cancellationToken)
    {
        var zone = _build(_domain, _services.List(), _endpoints.Get);
        Volatile.Write(ref _zone, zone);
        LogZoneBuilt(_logger, zone.Count);
        return Task.FromResult(true);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cluster DNS zone rebuilt with {Names} names")]
    private static partial void LogZoneBuilt(ILogger logger, int names);
}
