using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KubeMesh.AppHost;

/// <summary>
/// Watches every resource's state and starts again, after its back-off, each supervised one that exited, crashed or
/// was killed, as systemd and the kubelet do. The dashboard shows it: the resource's console log gets one line per
/// exit (code, how long it ran, when it will start again) and its details the property "restarts".
/// A resource that went through Stopping (the dashboard's Stop, the AppHost shutting down) is left stopped.
/// </summary>
public sealed partial class ComponentSupervisor(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ResourceLoggerService resourceLogs,
    IHostApplicationLifetime lifetime,
    ILogger<ComponentSupervisor> logger) : BackgroundService
{
    public const string RestartsProperty = "restarts";

    private readonly ConcurrentDictionary<string, Supervised> _supervised = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var e in notifications.WatchAsync(stoppingToken).ConfigureAwait(false))
            {
                if (e.Resource.TryGetLastAnnotation<RestartOnExitAnnotation>(out var policy) && e.Snapshot.State?.Text is { } state)
                {
                    Observe(e, state, policy.BackOff, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Observe(ResourceEvent e, string state, RestartBackOff backOff, CancellationToken stoppingToken)
    {
        var supervised = _supervised.GetOrAdd(e.ResourceId, _ => new Supervised());
        lock (supervised)
        {
            if (state == supervised.State)
            {
                return;
            }

            supervised.State = state;
            if (state == KnownResourceStates.Running)
            {
                supervised.RunningSince ??= DateTimeOffset.UtcNow;
                supervised.StopRequested = false;
                return;
            }

            if (state == KnownResourceStates.Stopping)
            {
                supervised.StopRequested = true;
                return;
            }

            if (!KnownResourceStates.TerminalStates.Contains(state))
            {
                return;
            }

            var ran = supervised.RunningSince is { } since ? DateTimeOffset.UtcNow - since : TimeSpan.Zero;
            supervised.RunningSince = null;
            var log = resourceLogs.GetLogger(e.ResourceId);
            if (supervised.StopRequested || lifetime.ApplicationStopping.IsCancellationRequested)
            {
                LogStoppedOnRequest(log, e.Resource.Name);
                return;
            }

            if (ran >= backOff.ResetAfter)
            {
                supervised.CrashLoop = 0;
            }

            var delay = backOff.Delay(supervised.CrashLoop);
            supervised.CrashLoop++;
            supervised.Restarts++;
            var exitCode = e.Snapshot.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
            LogExited(log, e.Resource.Name, state, exitCode, ran, supervised.Restarts, delay);
            LogExited(logger, e.Resource.Name, state, exitCode, ran, supervised.Restarts, delay);
            _ = RestartAsync(e, supervised.Restarts, delay, stoppingToken);
        }
    }

    private async Task RestartAsync(ResourceEvent e, int restarts, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await notifications.PublishUpdateAsync(e.Resource, e.ResourceId, s => s with
            {
                Properties = [.. s.Properties.Where(p => p.Name != RestartsProperty), new ResourcePropertySnapshot(RestartsProperty, restarts)],
            }).ConfigureAwait(false);
            await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
            var result = await commands.ExecuteCommandAsync(e.ResourceId, KnownResourceCommands.StartCommand, stoppingToken).ConfigureAwait(false);
            if (!result.Success)
            {
                // DCP may still count it as running for a moment after the process died: a restart covers that.
                result = await commands.ExecuteCommandAsync(e.ResourceId, KnownResourceCommands.RestartCommand, stoppingToken).ConfigureAwait(false);
            }

            if (!result.Success)
            {
                LogRestartFailed(logger, e.Resource.Name, result.Message ?? "no reason given");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogRestartError(logger, ex, e.Resource.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} {State} with code {ExitCode} after running {Ran}; restart {Restarts} in {Delay} (back-off)")]
    private static partial void LogExited(ILogger logger, string resource, string state, string exitCode, TimeSpan ran, int restarts, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Resource} was stopped on request; it is not restarted")]
    private static partial void LogStoppedOnRequest(ILogger logger, string resource);

    [LoggerMessage(Level = LogLevel.Error, Message = "Starting {Resource} again failed: {Reason}")]
    private static partial void LogRestartFailed(ILogger logger, string resource, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Starting {Resource} again failed")]
    private static partial void LogRestartError(ILogger logger, Exception exception, string resource);

    private sealed class Supervised
    {
        public string? State { get; set; }

        public DateTimeOffset? RunningSince { get; set; }

        public bool StopRequested { get; set; }

        public int CrashLoop { get; set; }

        public int Restarts { get; set; }
    }
}
