using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KubeMesh.IngressController.Tests.Infrastructure;

/// <summary>
/// A pod that speaks HTTP/1.1 by hand over TCP, for what a well-behaved server never sends: interim responses,
/// trailers, bare line feeds, close-delimited bodies, broken framing, a connection closed between requests.
/// Each accepted connection runs the given script.
/// </summary>
public sealed class RawHttpBackend : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    private RawHttpBackend(Func<RawConnection, Task> script)
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync(script);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Address => $"http://127.0.0.1:{Port}";

    public int Connections => Volatile.Read(ref _connections);

    public static RawHttpBackend Start(Func<RawConnection, Task> script) => new(script);

    /// <summary>A pod that answers every request of a connection with the same bytes, written in these parts.</summary>
    public static RawHttpBackend Answering(params string[] parts) => new(async connection =>
    {
        while (await connection.ReadHeadAsync() is not null)
        {
            foreach (var part in parts)
            {
                await connection.WriteAsync(part);
            }
        }
    });

    private async Task AcceptAsync(Func<RawConnection, Task> script)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = Task.Run(async () =>
            {
                using var connection = new RawConnection(socket);
                try
                {
                    await script(connection).WaitAsync(TimeSpan.FromSeconds(30), _stop.Token);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or TimeoutException)
                {
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
    }
}

/// <summary>One accepted connection of a <see cref="RawHttpBackend"/>.</summary>
public sealed class RawConnection(Socket socket) : IDisposable
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private readonly List<byte> _pending = [];

    /// <summary>The next request head, up to and including its empty line; null when the proxy closed the connection.</summary>
    public async Task<string?> ReadHeadAsync()
    {
        while (true)
        {
            var text = Encoding.Latin1.GetString([.. _pending]);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                _pending.RemoveRange(0, end + 4);
                return text[..(end + 4)];
            }

            if (!await FillAsync())
            {
                return null;
            }
        }
    }

    /// <summary>The next line without its CRLF (a chunk size, a trailer).</summary>
    public async Task<string> ReadLineAsync()
    {
        while (true)
        {
            var text = Encoding.Latin1.GetString([.. _pending]);
            var end = text.IndexOf("\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                _pending.RemoveRange(0, end + 2);
                return text[..end];
            }

            if (!await FillAsync())
            {
                throw new IOException("the connection closed mid-line");
            }
        }
    }

    /// <summary>Exactly <paramref name="count"/> body bytes.</summary>
    public async Task<string> ReadBytesAsync(int count)
    {
        while (_pending.Count < count)
        {
            if (!await FillAsync())
            {
                throw new IOException("the proxy closed the connection mid-body");
            }
        }

        var text = Encoding.Latin1.GetString([.. _pending.Take(count)]);
        _pending.RemoveRange(0, count);
        return text;
    }

    /// <summary>A chunked body as the proxy framed it, raw, through its last chunk.</summary>
    public async Task<string> ReadChunkedAsync()
    {
        while (true)
        {
            var text = Encoding.Latin1.GetString([.. _pending]);
            var end = text.IndexOf("\r\n0\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0 || text.StartsWith("0\r\n\r\n", StringComparison.Ordinal))
            {
                var length = end >= 0 ? end + 7 : 5;
                _pending.RemoveRange(0, length);
                return text[..length];
            }

            if (!await FillAsync())
            {
                throw new IOException("the proxy closed the connection mid-body");
            }
        }
    }

    public Task WriteAsync(string text) => _stream.WriteAsync(Encoding.Latin1.GetBytes(text)).AsTask();

    /// <summary>Closes the connection (a FIN, or with <paramref name="reset"/> an RST).</summary>
    public void Close(bool reset = false)
    {
        if (reset)
        {
            socket.LingerState = new LingerOption(true, 0);
        }

        _stream.Dispose();
    }

    public void Dispose() => _stream.Dispose();

    private async Task<bool> FillAsync()
    {
        var buffer = new byte[4096];
        var read = await _stream.ReadAsync(buffer);
        _pending.AddRange(buffer.AsSpan(0, read));
        return read > 0;
    }
}
