using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using KubeMesh.Dns.Records;
using KubeMesh.Dns.Resolution;

namespace KubeMesh.Dns.Server;

/// <summary>
/// DNS over UDP without per-query allocations on the hot path: several receive loops on one socket,
/// cluster answers encoded once per zone and served from the zone's cache with the query's ID and
/// question stamped in; misses are answered by the resolver, outside names forwarded off the loop.
/// </summary>
public sealed partial class UdpDnsListener(ClusterDnsResolver resolver, ClusterDnsIndex index, UpstreamForwarder forwarder, ILogger<UdpDnsListener> logger) : IAsyncDisposable
{
    private const int MaxCachedAnswers = 100_000;
    private const int BufferSize = 4096;
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _socket;
    private Task[] _loops = [];
    private int _disposed;

    public void Start(IPEndPoint endpoint)
    {
        _socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(endpoint);
        _loops = Enumerable.Range(0, Math.Max(2, Environment.ProcessorCount)).Select(_ => Task.Run(ReceiveLoopAsync)).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        // The host disposes both the listener and the service that owns it; the second call is a no-op.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        _socket?.Dispose();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
        }

        _stopping.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var socket = _socket!;
        var receive = new byte[BufferSize];
        var send = new byte[BufferSize];
        var from = new SocketAddress(socket.AddressFamily);
        while (!_stopping.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await socket.ReceiveFromAsync(receive, SocketFlags.None, from, _stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A previous reply's ICMP "port unreachable" surfaces here on Linux; the socket is fine.
                continue;
            }

            try
            {
                var reply = Answer(receive.AsSpan(0, length), send, from);
                if (reply > 0)
                {
                    await socket.SendToAsync(send.AsMemory(0, reply), SocketFlags.None, from, _stopping.Token);
                }
            }
            catch (Exception ex) when (ex is SocketException or FormatException or ArgumentException or IndexOutOfRangeException)
            {
                LogBadQuery(logger, ex.Message);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    /// <summary>The reply's length in <paramref name="send"/>; 0 when it is sent later (forwarded) or not at all.</summary>
    private int Answer(ReadOnlySpan<byte> query, byte[] send, SocketAddress from)
    {
        if (!DnsQuery.TryParse(query, out var parsed))
        {
            return FormatError(query, send);
        }

        var zone = index.Zone;
        var key = parsed.CacheKey;
        if (zone.ResponseCache.TryGetValue(key, out var cached))
        {
            return DnsResponseEncoder.Stamp(cached, send, query, parsed);
        }

        var message = DnsMessage.Parse(new ArraySegment<byte>(query.ToArray()));
        var response = resolver.TryAnswer(message);
        if (response is null)
        {
            _ = ForwardAsync(message, query.ToArray(), parsed, Copy(from));
            return 0;
        }

        var encoded = DnsResponseEncoder.Encode(response, query, parsed);
        if (zone.ResponseCache.Count < MaxCachedAnswers)
        {
            zone.ResponseCache.TryAdd(key, encoded);
        }

        return DnsResponseEncoder.Stamp(encoded, send, query, parsed);
    }

    private async Task ForwardAsync(DnsMessage message, byte[] query, DnsQuery parsed, SocketAddress to)
    {
        try
        {
            var response = await forwarder.ForwardAsync(message, _stopping.Token);
            var encoded = DnsResponseEncoder.Encode(response, query, parsed);
            var reply = new byte[encoded.Length];
            DnsResponseEncoder.Stamp(encoded, reply, query, parsed);
            await _socket!.SendToAsync(reply, SocketFlags.None, to, _stopping.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            LogBadQuery(logger, ex.Message);
        }
    }

    /// <summary>FORMERR with the query's ID, for packets that are not a plain query.</summary>
    private static int FormatError(ReadOnlySpan<byte> query, byte[] send)
    {
        if (query.Length < DnsQuery.HeaderLength || (query[2] & 0x80) != 0)
        {
            return 0;
        }

        query[..2].CopyTo(send);
        send[2] = (byte)(0x80 | (query[2] & 0x79));
        send[3] = 0x01;
        send.AsSpan(4, 8).Clear();
        return DnsQuery.HeaderLength;
    }

    private static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.CopyTo(copy.Buffer);
        return copy;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dropped a UDP query: {Reason}")]
    private static partial void LogBadQuery(ILogger logger, string reason);
}
