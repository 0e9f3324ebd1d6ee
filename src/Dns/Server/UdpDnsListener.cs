using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using KubeMesh.Dns.Records;
using KubeMesh.Dns.Resolution;

namespace KubeMesh.Dns.Server;

/// <summary>
/// DNS over UDP without allocations on the hot path: one receiving thread per CPU the process may run on,
/// each blocked in recvfrom on the shared socket and answering with a plain sendto, as dnsmasq and CoreDNS
/// do. Blocking calls on dedicated threads cost two system calls per query; the asynchronous socket API
/// would add the epoll thread and a thread-pool hop for every packet. Cluster answers are encoded once per
/// zone and served from the zone's cache with the query's ID and question stamped in; misses are answered
/// by the resolver, outside names forwarded off the receiving thread.
/// </summary>
public sealed partial class UdpDnsListener(ClusterDnsResolver resolver, ClusterDnsIndex index, UpstreamForwarder forwarder, ILogger<UdpDnsListener> logger) : IAsyncDisposable
{
    private const int MaxCachedAnswers = 100_000;
    private const int BufferSize = 4096;

    /// <summary>How often a receiving thread looks up from an idle socket to see whether it should stop.</summary>
    private const int IdleWakeupMilliseconds = 500;

    private readonly CancellationTokenSource _stopping = new();
    private Socket? _socket;
    private Task[] _loops = [];
    private int _disposed;

    /// <summary>The number of receiving threads: the CPUs this process may use (taskset/affinity counts).</summary>
    public int ReceiveLoops => _loops.Length;

    public void Start(IPEndPoint endpoint)
    {
        _socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = IdleWakeupMilliseconds };
        _socket.Bind(endpoint);
        _loops = Enumerable.Range(0, Environment.ProcessorCount).Select(StartReceiveThread).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        // The host disposes both the listener and the service that owns it; the second call is a no-op.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }

        _socket?.Dispose();
        _stopping.Dispose();
    }

    private Task StartReceiveThread(int number)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                ReceiveLoop();
            }
            finally
            {
                done.SetResult();
            }
        })
        {
            IsBackground = true,
            Name = $"dns-udp-{number}",
        };
        thread.Start();
        return done.Task;
    }

    private void ReceiveLoop()
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
                length = socket.ReceiveFrom(receive, SocketFlags.None, from);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // The idle wake-up, or a previous reply's ICMP "port unreachable" (Linux reports it here); the socket is fine.
                continue;
            }

            try
            {
                var reply = Answer(receive.AsSpan(0, length), send, from);
                if (reply > 0)
                {
                    socket.SendTo(send.AsSpan(0, reply), SocketFlags.None, from);
                }
            }
            catch (Exception ex) when (ex is SocketException or FormatException or ArgumentException or IndexOutOfRangeException)
            {
                LogBadQuery(logger, ex.Message);
            }
            catch (ObjectDisposedException)
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
        Span<char> key = stackalloc char[DnsQuery.MaxCacheKeyLength];
        key = key[..parsed.WriteCacheKey(query, key)];
        if (zone.ResponseCache.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var cached))
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
            zone.ResponseCache.TryAdd(new string(key), encoded);
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
            // Synchronous like the receiving threads: one asynchronous call would turn the shared socket non-blocking for good.
            _socket!.SendTo(reply, SocketFlags.None, to);
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
