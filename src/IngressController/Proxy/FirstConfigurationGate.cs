using System.Diagnostics;
using Yarp.ReverseProxy.Configuration;

namespace KubeMesh.IngressController.Proxy;

/// <summary>
/// Holds the server's start, and with it every listening port, until YARP has applied the first configuration built
/// from synced caches, as ingress-nginx starts nginx only after its first sync. Without it a restarted controller
/// answered 404 for every host until that configuration arrived: a few hundred milliseconds, tens of thousands of
/// 404s to a load test running through a kill -9. Until then clients are refused a connection, which they retry.
/// Registered last among the hosted services, which start before the server.
/// </summary>
internal sealed partial class FirstConfigurationGate(ILogger<FirstConfigurationGate> logger) : IConfigChangeListener, IHostedService
{
    private static readonly TimeSpan Reminder = TimeSpan.FromSeconds(10);

    private readonly TaskCompletionSource _applied = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                await _applied.Task.WaitAsync(Reminder, cancellationToken);
                break;
            }
            catch (TimeoutException)
            {
                Log.StillWaiting(logger, (int)Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        }

        Log.Opening(logger, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void ConfigurationApplied(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
        foreach (var config in proxyConfigs)
        {
            if (config is IngressProxyConfig { IsPlaceholder: false })
            {
                _applied.TrySetResult();
            }
        }
    }

    public void ConfigurationLoaded(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
    }

    public void ConfigurationLoadingFailed(IProxyConfigProvider configProvider, Exception exception)
    {
    }

    public void ConfigurationApplyingFailed(IReadOnlyList<IProxyConfig> proxyConfigs, Exception exception)
    {
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The proxy ports stay closed until the first configuration from synced caches is applied: still waiting after {Seconds} s")]
        public static partial void StillWaiting(ILogger logger, int seconds);

        [LoggerMessage(2, LogLevel.Information, "First configuration applied after {Milliseconds} ms: opening the proxy ports")]
        public static partial void Opening(ILogger logger, double milliseconds);
    }
}
