using System.Diagnostics;
using KubeMesh.IngressController.Metrics;
using KubeMesh.IngressController.Telemetry;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace KubeMesh.IngressController.Proxy;

/// <summary>
/// The first step on the HTTP port's connections, ahead of Kestrel's HTTP/1.1 processing: each connection is read by a
/// <see cref="ForwardedConnection"/>, which serves its plain requests itself, straight off the transport, with no
/// HttpContext and none of the hosting's per-request work, and hands the connection to Kestrel, with the request it
/// cannot serve still unread, at the first one that needs anything more. Kestrel then serves the rest of the
/// connection's requests as usual. Also the clock of those connections: their keep-alive, request-head and
/// proxy-read timeouts are deadlines one timer checks a few times a second, where a timer per request cost more than
/// the rest of the request's bookkeeping together.
/// </summary>
internal sealed partial class ConnectionForwarding : IDisposable
{
    // How often deadlines are checked: how late a timeout may fire.
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    private readonly Lock _lock = new();
    private readonly HashSet<ForwardedConnection> _connections = [];
    private readonly Timer _timer;
    private readonly bool _enabled;
    private long _served;
    private long _handedOver;

    public ConnectionForwarding(EarlyForwarding early, DirectForwarder forwarder, IngressMetrics metrics, ProxiedRequestTracing tracing,
        IOptions<IngressControllerOptions> options, IOptions<KestrelServerOptions> kestrel, ILogger<ConnectionForwarding> logger)
    {
        Early = early;
        Metrics = metrics;
        Tracing = tracing;
        Logger = logger;
        _enabled = forwarder.Enabled && options.Value.ConnectionForwarding;
        var limits = kestrel.Value.Limits;
        KeepAliveTimeoutMs = (long)limits.KeepAliveTimeout.TotalMilliseconds;
        RequestHeadersTimeoutMs = (long)limits.RequestHeadersTimeout.TotalMilliseconds;
        MaxRequestLine = limits.MaxRequestLineSize;
        MaxHeadBytes = limits.MaxRequestLineSize + limits.MaxRequestHeadersTotalSize;
        MaxFieldBytes = limits.MaxRequestHeadersTotalSize;
        MaxFields = limits.MaxRequestHeaderCount;
        _timer = new Timer(static state => ((ConnectionForwarding)state!).CheckDeadlines(), this, Timeout.Infinite, Timeout.Infinite);
    }

    internal EarlyForwarding Early { get; }

    internal IngressMetrics Metrics { get; }

    internal ProxiedRequestTracing Tracing { get; }

    internal ILogger Logger { get; }

    internal long KeepAliveTimeoutMs { get; }

    internal long RequestHeadersTimeoutMs { get; }

    internal int MaxRequestLine { get; }

    internal int MaxHeadBytes { get; }

    internal int MaxFieldBytes { get; }

    internal int MaxFields { get; }

    /// <summary>Requests served off their connection.</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>Connections given to Kestrel's HTTP processing, at a request this path does not serve.</summary>
    public long HandedOver => Interlocked.Read(ref _handedOver);

    internal void CountServed(int requests) => Interlocked.Add(ref _served, requests);

    /// <summary>Serves the connection's plain requests, then gives it to <paramref name="next"/> (Kestrel's HTTP) if it is still open.</summary>
    public async Task ServeAsync(ConnectionContext context, ConnectionDelegate next)
    {
        if (!_enabled || context is Transport.EpollConnection { ServedByFront: true })
        {
            // Off, or already served by this method on the epoll listener's front, which handed it over.
            await next(context);
            return;
        }

        var connection = new ForwardedConnection(this, context);
        Track(connection);
        bool handOver;
        try
        {
            handOver = await connection.RunAsync();
        }
        finally
        {
            Untrack(connection);
            connection.Dispose();
        }

        if (handOver)
        {
            Interlocked.Increment(ref _handedOver);
            await next(context);
        }
    }

    private void Track(ForwardedConnection connection)
    {
        lock (_lock)
        {
            _connections.Add(connection);
            if (_connections.Count == 1)
            {
                _timer.Change(Tick, Tick);
            }
        }
    }

    private void Untrack(ForwardedConnection connection)
    {
        lock (_lock)
        {
            _connections.Remove(connection);
            if (_connections.Count == 0)
            {
                _timer.Change(Timeout.Infinite, Timeout.Infinite);
            }
        }
    }

    private void CheckDeadlines()
    {
        var now = Environment.TickCount64;
        List<ForwardedConnection>? expired = null;
        lock (_lock)
        {
            foreach (var connection in _connections)
            {
                if (connection.IsPast(now))
                {
                    (expired ??= []).Add(connection);
                }
            }
        }

        // Outside the lock: an abort runs the connection's own callbacks.
        foreach (var connection in expired ?? [])
        {
            connection.OnDeadline(now);
        }
    }

    public void Dispose() => _timer.Dispose();

    internal static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Forwarding to {Destination} failed ({Status}): {Message}")]
        public static partial void RequestFailed(ILogger logger, string destination, int status, string message);

        [LoggerMessage(2, LogLevel.Warning, "Reading the response body from {Destination} failed: {Message}")]
        public static partial void BodyFailed(ILogger logger, string destination, string message);
    }
}
