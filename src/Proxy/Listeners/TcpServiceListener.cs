using System.Net;
using System.Net.Sockets;
using KubeMesh.Proxy.Backends;

namespace KubeMesh.Proxy.Listeners;

/// <summary>
/// One listening socket for one service port at one address (cluster IP, node address or load
/// balancer address), relaying each accepted connection to a backend in turn (the userspace mode of
/// kube-proxy). A backend that refuses is skipped for the next one.
/// </summary>
public sealed partial class TcpServiceListener : IAsyncDisposable
{
    private const int MaxAttempts = 3;
    private readonly Socket _socket;
    private readonly Func<BackendSet?> _backends;
    private readonly TimeSpan _connectTimeout;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;

    public TcpServiceListener(IPEndPoint endpoint, ServicePortName service, Func<BackendSet?> backends, TimeSpan connectTimeout, ILogger logger)
    {
        Endpoint = endpoint;
        Service = service;
        _backends = backends;
        _connectTimeout = connectTimeout;
        _logger = logger;
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(endpoint);
        _socket.Listen(512);
        _accepting = AcceptLoopAsync();
    }

    public IPEndPoint Endpoint { get; }

    public ServicePortName Service { get; }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _socket.Dispose();
        try
        {
            await _accepting.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                LogAcceptFailed(_logger, Endpoint.ToString(), ex.SocketErrorCode.ToString());
                continue;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using (client)
        {
            client.NoDelay = true;
            using var backend = await ConnectBackendAsync();
            if (backend is null)
            {
                // Reset rather than close politely, so the client sees a refusal and not an empty reply.
                client.LingerState = new LingerOption(true, 0);
                return;
            }

            await using var clientStream = new NetworkStream(client, ownsSocket: false);
            await using var backendStream = new NetworkStream(backend, ownsSocket: false);
            await Task.WhenAll(PumpAsync(clientStream, backendStream, backend), PumpAsync(backendStream, clientStream, client));
        }
    }

    private async Task<Socket?> ConnectBackendAsync()
    {
        var backends = _backends();
        var attempts = Math.Min(MaxAttempts, backends?.Endpoints.Count ?? 0);
        for (var i = 0; i < attempts; i++)
        {
            var target = backends!.Next();
            if (target is null)
            {
                break;
            }

            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                timeout.CancelAfter(_connectTimeout);
                await socket.ConnectAsync(target, timeout.Token);
                return socket;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                LogBackendFailed(_logger, Service.ToString(), target.ToString(), ex.Message);
            }
        }

        LogNoBackend(_logger, Service.ToString(), Endpoint.ToString());
        return null;
    }

    /// <summary>Copies one direction with pooled buffers, then half-closes the other side so the peer sees the end.</summary>
    private async Task PumpAsync(NetworkStream from, NetworkStream to, Socket toSocket)
    {
        try
        {
            await from.CopyToAsync(to, 64 * 1024, _stopping.Token);
            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side went away: end both directions.
            try
            {
                toSocket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception inner) when (inner is SocketException or ObjectDisposedException)
            {
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accepting on {Endpoint} failed: {Error}")]
    private static partial void LogAcceptFailed(ILogger logger, string endpoint, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Backend {Backend} of {Service} failed: {Reason}")]
    private static partial void LogBackendFailed(ILogger logger, string service, string backend, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "No backend of {Service} accepted a connection on {Endpoint}")]
    private static partial void LogNoBackend(ILogger logger, string service, string endpoint);
}
