using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace KubeMesh.IngressController.Transport;

/// <summary>
/// A client connection accepted by <see cref="EpollConnectionListener"/>, as Kestrel's socket transport makes one:
/// two pipes and two loops, one receiving into the input pipe and one sending what the application wrote to the
/// output pipe, with the same endings (the peer's FIN completes the input and fires ConnectionClosed; the output's
/// completion or an abort shuts the socket down and closes it). Every pipe continuation runs inline: the receive that
/// completes a request runs its forwarding, whose flush runs the send, on the loop's thread.
/// </summary>
internal sealed partial class EpollConnection : EpollContext, IConnectionLifetimeFeature, IConnectionTransportFeature, IMemoryPoolFeature
{
    // As Kestrel's socket transport: half a block at least for each receive.
    private const int MinimumReceive = 2048;

    private readonly EpollSocket _socket;
    private readonly IDuplexPipe _application;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _closedFired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _shutdownLock = new();
    private readonly ILogger _logger;
    private Exception? _shutdownReason;
    private bool _shutDown;
    private int _closedFiring;
    private Task? _processing;

    public EpollConnection(EpollSocket socket, EndPoint? local, EndPoint? remote, MemoryPool<byte> pool, long maxReadBufferBytes,
        long maxWriteBufferBytes, ILogger logger)
        : this(socket, local, remote, pool, logger,
            new Pipe(new PipeOptions(pool, PipeScheduler.Inline, PipeScheduler.Inline, maxReadBufferBytes, maxReadBufferBytes / 2, useSynchronizationContext: false)),
            new Pipe(new PipeOptions(pool, PipeScheduler.Inline, PipeScheduler.Inline, maxWriteBufferBytes, maxWriteBufferBytes / 2, useSynchronizationContext: false)))
    {
    }

    private EpollConnection(EpollSocket socket, EndPoint? local, EndPoint? remote, MemoryPool<byte> pool, ILogger logger, Pipe input, Pipe output)
        : base('E', local, remote, new DuplexPipe(input.Reader, output.Writer))
    {
        _socket = socket;
        _logger = logger;
        MemoryPool = pool;
        ConnectionClosed = _closed.Token;
        _application = new DuplexPipe(output.Reader, input.Writer);
        Features.Set<IConnectionLifetimeFeature>(this);
        Features.Set<IConnectionTransportFeature>(this);
        Features.Set<IMemoryPoolFeature>(this);
    }

    public MemoryPool<byte> MemoryPool { get; }

    public override CancellationToken ConnectionClosed { get; set; }

    /// <summary>Handed over by the listener's front after it served some requests itself: Kestrel's connection middleware leaves it alone.</summary>
    public bool ServedByFront { get; init; }

    /// <summary>Starts receiving and sending; <paramref name="received"/> (bytes the front read and left) is what the application reads first.</summary>
    public void Start(ReadOnlySpan<byte> received)
    {
        if (!received.IsEmpty)
        {
            // Within the input's limit (a request head at most), so the flush completes at once.
            _application.Output.Write(received);
            _ = _application.Output.FlushAsync();
        }

        _processing = RunAsync();
    }

    private async Task RunAsync()
    {
        try
        {
            var receiving = ReceiveAsync();
            var sending = SendAsync();
            await receiving;
            await sending;
        }
        catch (Exception exception)
        {
            Log.Unexpected(_logger, ConnectionId, exception);
        }
    }

    private async Task ReceiveAsync()
    {
        Exception? error = null;
        var input = _application.Output;
        try
        {
            while (true)
            {
                await _socket.WaitReadableAsync();
                var buffer = input.GetMemory(MinimumReceive);
                var received = _socket.TryReceive(buffer.Span);
                if (received < 0)
                {
                    continue;
                }

                if (received == 0)
                {
                    // FIN.
                    break;
                }

                input.Advance(received);
                var flushed = await input.FlushAsync();
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown)
        {
            error = new ConnectionResetException(exception.Message, exception);
        }
        catch (Exception exception)
        {
            // Aborted (the reason was recorded when it was), or failed.
            error = exception;
        }
        finally
        {
            await input.CompleteAsync(_shutdownReason ?? error);
            FireConnectionClosed();
            await _closedFired.Task;
        }
    }

    private async Task SendAsync()
    {
        Exception? shutdownReason = null;
        Exception? unexpected = null;
        var output = _application.Input;
        try
        {
            while (true)
            {
                var result = await output.ReadAsync();
                if (result.IsCanceled)
                {
                    break;
                }

                var buffer = result.Buffer;
                while (!buffer.IsEmpty)
                {
                    var sent = _socket.TrySend(buffer);
                    if (sent < 0)
                    {
                        await _socket.WaitWritableAsync();
                        continue;
                    }

                    buffer = buffer.Slice(sent);
                }

                output.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown)
        {
            shutdownReason = new ConnectionResetException(exception.Message, exception);
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.OperationAborted)
        {
            shutdownReason = exception;
        }
        catch (Exception exception)
        {
            shutdownReason = exception;
            unexpected = exception;
            Log.Unexpected(_logger, ConnectionId, exception);
        }
        finally
        {
            Shutdown(shutdownReason);
            await output.CompleteAsync(unexpected);

            // A receive waiting for the application to read on is let go.
            _application.Output.CancelPendingFlush();
        }
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        Shutdown(abortReason);

        // The send loop ends after the shutdown, so the abort's reason is the one recorded.
        _application.Input.CancelPendingRead();
    }

    public override async ValueTask DisposeAsync()
    {
        await Transport.Input.CompleteAsync();
        await Transport.Output.CompleteAsync();
        if (_processing is not null)
        {
            await _processing;
        }

        _closed.Dispose();
    }

    private void Shutdown(Exception? reason)
    {
        lock (_shutdownLock)
        {
            if (_shutDown)
            {
                return;
            }

            _shutDown = true;
            _shutdownReason = reason ?? new ConnectionAbortedException("The epoll transport's send loop completed gracefully.");

            // Both directions, then the fd: a graceful end for an abort too, as Kestrel's socket transport does.
            _socket.Shutdown(EpollNative.SHUT_RDWR);
            _socket.Dispose();
        }
    }

    private void FireConnectionClosed()
    {
        if (Interlocked.Exchange(ref _closedFiring, 1) != 0)
        {
            return;
        }

        // Off the loop's thread: ConnectionClosed's callbacks may do anything.
        ThreadPool.UnsafeQueueUserWorkItem(static connection =>
        {
            try
            {
                connection._closed.Cancel();
            }
            catch (Exception exception)
            {
                Log.Unexpected(connection._logger, connection.ConnectionId, exception);
            }

            connection._closedFired.TrySetResult();
        }, this, preferLocal: false);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Unexpected exception on epoll connection {ConnectionId}.")]
        public static partial void Unexpected(ILogger logger, string connectionId, Exception exception);
    }
}
