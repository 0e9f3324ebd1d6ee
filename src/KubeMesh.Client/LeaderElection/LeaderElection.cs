using Google.Protobuf;
using KubeMesh.Api.Coordination.V1;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KubeMesh.Client.LeaderElection;

/// <summary>
/// A component's place in its leader election, run for the life of the process as kube-scheduler and
/// kube-controller-manager run leaderelection.RunOrDie: once this process has led and then lost the lease, it stops
/// with a non-zero exit code (kube's "leaderelection lost"), so its supervisor starts a fresh candidate whose caches
/// hold nothing from its time as leader.
/// </summary>
public sealed partial class LeaderElection : BackgroundService, ILeadership
{
    private readonly LeaderElectionOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<LeaderElection> _logger;

    public LeaderElection(KubeMeshClient client, IOptions<LeaderElectionOptions> options, IHostApplicationLifetime lifetime, ILogger<LeaderElection> logger, TimeProvider? time = null)
    {
        _options = options.Value;
        _lifetime = lifetime;
        _logger = logger;
        if (!_options.LeaderElect)
        {
            return;
        }

        var prefix = _options.Identity ?? Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") ?? Environment.MachineName;
        var leaseLock = new LeaseLock(client.For<Lease>(), _options.ResourceNamespace, _options.ResourceName, $"{prefix}_{Guid.NewGuid()}");
        Elector = new LeaderElector(
            new LeaderElectionConfig
            {
                LeaseDuration = _options.LeaseDuration,
                RenewDeadline = _options.RenewDeadline,
                RetryPeriod = _options.RetryPeriod,
            },
            leaseLock,
            time,
            logger);
    }

    /// <summary>The elector; null when leader election is off.</summary>
    public LeaderElector? Elector { get; }

    public bool IsLeader => Elector?.IsLeader ?? true;

    public Task WaitForLeadershipAsync(CancellationToken cancellationToken) =>
        Elector?.WaitForLeadershipAsync(cancellationToken) ?? Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Elector is null)
        {
            LogDisabled(_logger);
            return;
        }

        await Elector.RunAsync(stoppingToken).ConfigureAwait(false);
        if (!stoppingToken.IsCancellationRequested)
        {
            LogLost(_logger, _options.ResourceNamespace, _options.ResourceName, Elector.Identity);
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "leader election is off (LeaderElection:LeaderElect=false): this process acts alone")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "leaderelection lost: {Namespace}/{Name} no longer held by {Identity}; exiting so a fresh candidate starts")]
    private static partial void LogLost(ILogger logger, string @namespace, string name, string identity);
}
