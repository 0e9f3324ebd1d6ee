using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using KubeMesh.IngressController.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeMesh.IngressController.Tests.Transport;

/// <summary>
/// The epoll transport on its own, against real TCP clients and servers on loopback: what Kestrel and the upstream
/// connections rely on from it (bytes in order under back-pressure both ways, the peer's end, aborts, cancellation,
/// closes under a waiting call, idle-connection checks, and a listener that stops).
/// </summary>
public sealed class EpollTransportTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Connection_EchoesMegabytesBothWays_InOrder()
    {
        await using var listener = Listen(maxWrite: 64 * 1024);
        using var client = await ConnectAsync(listener);
        var server = await listener.AcceptAsync().AsTask().WaitAsync(Timeout);
        Assert.NotNull(server);
        var echo = EchoAsync(server);

        // More than the socket buffers and the output pipe's limit hold: sends wait for room on both sides.
        var payload = new byte[8 * 1024 * 1024];
        new Random(7).NextBytes(payload);
        using var stream = new NetworkStream(client);
        var sending = Task.Run(async () =>
        {
            await stream.WriteAsync(payload);
            client.Shutdown(SocketShutdown.Send);
        });
        var received = new MemoryStream();
        await stream.CopyToAsync(received).WaitAsync(Timeout);
        await sending.WaitAsync(Timeout);
        await echo.WaitAsync(Timeout);

        Assert.Equal(payload.Length, received.Length);
        Assert.True(payload.AsSpan().SequenceEqual(received.ToArray()));
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Connection_PeerCloses_InputCompletesAndConnectionClosedFires()
    {
        await using var listener = Listen();
        using var client = await ConnectAsync(listener);
        var server = (await listener.AcceptAsync().AsTask().WaitAsync(Timeout))!;
        var closed = new TaskCompletionSource();
        server.ConnectionClosed.Register(() => closed.TrySetResult());

        await client.SendAsync("last words"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);

        var text = "";
        while (true)
        {
            var result = await server.Transport.Input.ReadAsync().AsTask().WaitAsync(Timeout);
            text += System.Text.Encoding.ASCII.GetString(result.Buffer.ToArray());
            server.Transport.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        Assert.Equal("last words", text);
        await closed.Task.WaitAsync(Timeout);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)server.RemoteEndPoint!).Address);
        Assert.Equal(((IPEndPoint)listener.EndPoint).Port, ((IPEndPoint)server.LocalEndPoint!).Port);
        await server.Transport.Output.CompleteAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Connection_Aborted_ClientSeesTheEndAndServerInputFails()
    {
        await using var listener = Listen();
        using var client = await ConnectAsync(listener);
        var server = (await listener.AcceptAsync().AsTask().WaitAsync(Timeout))!;
        var reading = server.Transport.Input.ReadAsync().AsTask();

        server.Abort(new ConnectionAbortedException("test abort"));

        var buffer = new byte[16];
        var received = await client.ReceiveAsync(buffer).WaitAsync(Timeout);
        Assert.Equal(0, received);
        var failure = await Assert.ThrowsAsync<ConnectionAbortedException>(() => reading.WaitAsync(Timeout));
        Assert.Equal("test abort", failure.Message);
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Front_ReadsAndHandsOver_KestrelReadsWhatTheFrontLeftThenTheRest()
    {
        var answered = new TaskCompletionSource();
        var front = new EpollFront(async (connection, handOver) =>
        {
            // Takes the first line, answers it on the socket, leaves the rest unread, and hands over.
            var input = connection.Transport.Input;
            while (true)
            {
                var result = await input.ReadAsync();
                var text = System.Text.Encoding.ASCII.GetString(result.Buffer.ToArray());
                var newline = text.IndexOf('\n');
                if (newline >= 0)
                {
                    input.AdvanceTo(result.Buffer.GetPosition(newline + 1));
                    await connection.Transport.Output.WriteAsync(System.Text.Encoding.ASCII.GetBytes("front: " + text[..(newline + 1)]));
                    answered.TrySetResult();
                    await handOver(connection);
                    return;
                }

                input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
        }, MaxHeadBytes: 1024);
        await using var listener = Listen(front: front);
        using var client = await ConnectAsync(listener);

        await client.SendAsync("first\nsecond"u8.ToArray());
        await answered.Task.WaitAsync(Timeout);
        var kestrel = await listener.AcceptAsync().AsTask().WaitAsync(Timeout);
        Assert.IsType<EpollConnection>(kestrel);
        await client.SendAsync(" and third"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);

        var rest = "";
        while (true)
        {
            var result = await kestrel!.Transport.Input.ReadAsync().AsTask().WaitAsync(Timeout);
            rest += System.Text.Encoding.ASCII.GetString(result.Buffer.ToArray());
            kestrel.Transport.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        Assert.Equal("second and third", rest);
        await kestrel!.Transport.Output.WriteAsync("kestrel\n"u8.ToArray());
        await kestrel.Transport.Output.CompleteAsync();
        var answers = new MemoryStream();
        var buffer = new byte[256];
        int count;
        while ((count = await client.ReceiveAsync(buffer).WaitAsync(Timeout)) > 0)
        {
            answers.Write(buffer, 0, count);
        }

        Assert.Equal("front: first\nkestrel\n", System.Text.Encoding.ASCII.GetString(answers.ToArray()));
        await kestrel.DisposeAsync();
    }

    [Fact]
    public async Task Front_ListenerUnbound_FrontIsAskedToClose()
    {
        var asked = new TaskCompletionSource();
        var front = new EpollFront(async (connection, _) =>
        {
            var lifetime = connection.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionLifetimeNotificationFeature>()!;
            lifetime.ConnectionClosedRequested.Register(() => asked.TrySetResult());
            await asked.Task;
        }, MaxHeadBytes: 1024);
        var listener = Listen(front: front);
        using var client = await ConnectAsync(listener);
        await Task.Delay(100);

        await listener.UnbindAsync();

        await asked.Task.WaitAsync(Timeout);
        var buffer = new byte[4];
        Assert.Equal(0, await client.ReceiveAsync(buffer).WaitAsync(Timeout));
        await listener.DisposeAsync();
    }

    [Fact]
    public async Task Listener_Unbound_AcceptReturnsNullAndNewConnectionsAreRefused()
    {
        var listener = Listen();
        var port = ((IPEndPoint)listener.EndPoint).Port;
        var accepting = listener.AcceptAsync().AsTask();

        await listener.UnbindAsync();

        Assert.Null(await accepting.WaitAsync(Timeout));
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(Timeout));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        await listener.DisposeAsync();
    }

    [Fact]
    public async Task Listener_PortTaken_AddressInUse()
    {
        await using var first = Listen();
        var port = ((IPEndPoint)first.EndPoint).Port;

        Assert.Throws<AddressInUseException>(() => Listen(port));
    }

    [Fact]
    public async Task Socket_ConnectsSendsAndReceives_ThenSeesThePeersEnd()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        using var socket = await EpollSocket.ConnectAsync((IPEndPoint)server.LocalEndpoint, default).AsTask().WaitAsync(Timeout);
        using var peer = await server.AcceptSocketAsync().WaitAsync(Timeout);

        Assert.Equal(5, await socket.SendAsync("hello"u8.ToArray(), default));
        var buffer = new byte[16];
        Assert.Equal(5, await peer.ReceiveAsync(buffer).WaitAsync(Timeout));

        // A receive that waits for the data, then one after the peer's end.
        var receiving = socket.ReceiveAsync(buffer, default).AsTask();
        await Task.Delay(50);
        Assert.False(receiving.IsCompleted);
        await peer.SendAsync("world"u8.ToArray());
        Assert.Equal(5, await receiving.WaitAsync(Timeout));
        Assert.Equal("world", System.Text.Encoding.ASCII.GetString(buffer, 0, 5));
        Assert.False(socket.IsStale());

        peer.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await socket.ReceiveAsync(buffer, default).AsTask().WaitAsync(Timeout));
        Assert.True(socket.IsStale());
    }

    [Fact]
    public async Task Socket_IdleThenSentSomethingUnasked_IsStale()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        using var socket = await EpollSocket.ConnectAsync((IPEndPoint)server.LocalEndpoint, default).AsTask().WaitAsync(Timeout);
        using var peer = await server.AcceptSocketAsync().WaitAsync(Timeout);
        Assert.False(socket.IsStale());

        await peer.SendAsync("HTTP/1.1 408 Request Timeout\r\n\r\n"u8.ToArray());

        var deadline = DateTime.UtcNow + Timeout;
        while (!socket.IsStale() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.True(socket.IsStale());
    }

    [Fact]
    public async Task Socket_ConnectToAClosedPort_ConnectionRefused()
    {
        int port;
        using (var taken = new TcpListener(IPAddress.Loopback, 0))
        {
            taken.Start();
            port = ((IPEndPoint)taken.LocalEndpoint).Port;
        }

        var refused = await Assert.ThrowsAsync<SocketException>(() =>
            EpollSocket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), default).AsTask().WaitAsync(Timeout));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task Socket_WaitingReceive_CancelledThenClosed()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var socket = await EpollSocket.ConnectAsync((IPEndPoint)server.LocalEndpoint, default).AsTask().WaitAsync(Timeout);
        using var peer = await server.AcceptSocketAsync().WaitAsync(Timeout);
        var buffer = new byte[16];

        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => socket.ReceiveAsync(buffer, cancellation.Token).AsTask().WaitAsync(Timeout));

        // The socket is still usable after a cancelled wait; a close from another thread ends the next one.
        var receiving = socket.ReceiveAsync(buffer, default).AsTask();
        _ = Task.Run(async () =>
        {
            await Task.Delay(50);
            socket.Dispose();
        });
        var aborted = await Assert.ThrowsAsync<SocketException>(() => receiving.WaitAsync(Timeout));
        Assert.Equal(SocketError.OperationAborted, aborted.SocketErrorCode);
        Assert.Throws<SocketException>(() => socket.TrySend("late"u8));
    }

    [Fact]
    public async Task Socket_SendsMoreThanThePeerReads_WaitsForRoomThenFinishes()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        using var socket = await EpollSocket.ConnectAsync((IPEndPoint)server.LocalEndpoint, default).AsTask().WaitAsync(Timeout);
        using var peer = await server.AcceptSocketAsync().WaitAsync(Timeout);
        var payload = new byte[16 * 1024 * 1024];
        new Random(3).NextBytes(payload);

        var sending = socket.SendAsync(payload, default).AsTask();
        await Task.Delay(100);
        Assert.False(sending.IsCompleted);

        var received = new byte[payload.Length];
        var total = 0;
        while (total < received.Length)
        {
            var count = await peer.ReceiveAsync(received.AsMemory(total)).AsTask().WaitAsync(Timeout);
            Assert.True(count > 0);
            total += count;
        }

        Assert.Equal(payload.Length, await sending.WaitAsync(Timeout));
        Assert.True(payload.AsSpan().SequenceEqual(received));
    }

    private static EpollConnectionListener Listen(int port = 0, long maxWrite = 0, EpollFront? front = null) =>
        new(new IPEndPoint(IPAddress.Loopback, port), MemoryPool<byte>.Shared, 1024 * 1024, maxWrite, NullLogger.Instance, front);

    private static async Task<Socket> ConnectAsync(EpollConnectionListener listener)
    {
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.EndPoint).WaitAsync(Timeout);
        return client;
    }

    private static async Task EchoAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        while (true)
        {
            var result = await input.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                await output.WriteAsync(segment);
            }

            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await output.CompleteAsync();
    }
}
