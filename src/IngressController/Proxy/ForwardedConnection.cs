using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using KubeMesh.IngressController.Telemetry;
using KubeMesh.IngressController.Upstream;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace KubeMesh.IngressController.Proxy;

/// <summary>
/// One client connection on the HTTP port, read request by request straight off Kestrel's transport. A request
/// <see cref="PlainRequest"/> takes, on a route <see cref="EarlyForwarding.TryPlace"/> places, is forwarded as the
/// other paths forward it: the same upstream head (<see cref="DirectRequestHead"/>'s fields, byte for byte), the same
/// pooled connection to the pod, the same response as Kestrel would write (<see cref="ResponseHeadWriter"/>), the same
/// metrics, server and upstream spans, 502 and 504. The first request it does not take, and every one after it, is
/// Kestrel's: <see cref="RunAsync"/> returns true with that request unread.
/// </summary>
internal sealed class ForwardedConnection : IDisposable
{
    // YARP's ActivityTimeout when a cluster sets none.
    private static readonly TimeSpan DefaultActivityTimeout = TimeSpan.FromSeconds(100);

    private static readonly DefaultHttpContext NoRequest = new();

    private static readonly System.Collections.Frozen.FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> NotForwarded =
        DirectRequestHead.NotForwarded.GetAlternateLookup<ReadOnlySpan<char>>();

    private readonly ConnectionForwarding _owner;
    private readonly ConnectionContext _context;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly PlainRequest _request = new();
    private readonly ResponseHeadWriter _response = new();
    private readonly RequestHeadBuffer _head = new(1024);
    private readonly string? _clientAddress;
    private readonly int _localPort;
    private CancellationTokenSource _upstream = new();
    private CancellationTokenRegistration _closing;
    private byte[]? _scratch;
    private volatile bool _closeRequested;
    private volatile bool _timedOut;
    private long _deadline = long.MaxValue;
    private int _phase;
    private int _served;

    private enum Phase
    {
        /// <summary>Waiting for the next request: the keep-alive timeout.</summary>
        Idle,

        /// <summary>Part of a request head arrived: the request-headers timeout.</summary>
        Head,

        /// <summary>Waiting for the pod's response head or body: proxy-read-timeout, answered with 504 or an abort.</summary>
        Upstream,

        /// <summary>Writing to a client that does not read.</summary>
        Flush,
    }

    public ForwardedConnection(ConnectionForwarding owner, ConnectionContext context)
    {
        _owner = owner;
        _context = context;
        _input = context.Transport.Input;
        _output = context.Transport.Output;
        _clientAddress = (context.RemoteEndPoint as IPEndPoint)?.Address.ToString();
        _localPort = (context.LocalEndPoint as IPEndPoint)?.Port ?? 0;
    }

    /// <summary>Serves requests until the connection ends (false) or one is Kestrel's to serve (true).</summary>
    public async Task<bool> RunAsync()
    {
        // Kestrel asks its connections to close when the server stops: between requests, at once.
        _closing = (_context.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? default).UnsafeRegister(static state => ((ForwardedConnection)state!).RequestClose(), this);
        while (true)
        {
            SetPhase(Phase.Idle, _owner.KeepAliveTimeoutMs);
            ReadOnlySequence<byte> buffer;
            int headLength;
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await _input.ReadAsync();
                }
                catch (Exception)
                {
                    // Reset or aborted (a timeout): nothing more to serve.
                    return false;
                }

                buffer = result.Buffer;
                if (result.IsCanceled || _closeRequested)
                {
                    _input.AdvanceTo(buffer.Start);
                    if (_timedOut && !buffer.IsEmpty && !_closeRequested)
                    {
                        // Part of a head and no more within the request-headers timeout: Kestrel's 408, and the connection ends.
                        ResponseHeadWriter.WriteEmpty(_output, StatusCodes.Status408RequestTimeout, close: true);
                        await FlushAsync(_owner.RequestHeadersTimeoutMs);
                    }

                    return false;
                }

                headLength = HeadLength(buffer);
                if (headLength > 0)
                {
                    break;
                }

                if (result.IsCompleted || buffer.Length >= _owner.MaxHeadBytes)
                {
                    // An unfinished or oversized head is Kestrel's to answer (400, 431); none at all ends the connection.
                    _input.AdvanceTo(buffer.Start);
                    return !buffer.IsEmpty;
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (Volatile.Read(ref _phase) == (int)Phase.Idle)
                {
                    SetPhase(Phase.Head, _owner.RequestHeadersTimeoutMs);
                }
            }

            var head = HeadBytes(buffer, headLength);
            if (!_request.TryRead(head.Span, _owner.MaxFields, _owner.MaxRequestLine, _owner.MaxFieldBytes)
                || !_owner.Early.TryPlace(NoRequest, _request.Host, _request.Path, out var placement))
            {
                _input.AdvanceTo(buffer.Start);
                return true;
            }

            _served++;
            if (!await ForwardAsync(head, buffer.GetPosition(headLength), placement) || _closeRequested)
            {
                return false;
            }
        }
    }

    /// <summary>One request, head read and placed; false when the connection cannot go on.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ForwardAsync(ReadOnlyMemory<byte> head, SequencePosition consumed, EarlyForwarding.Placement placement)
    {
        var start = Stopwatch.GetTimestamp();
        if (_upstream.IsCancellationRequested)
        {
            // The last request's deadline passed (a 504), or passed as it ended.
            _upstream.Dispose();
            _upstream = new CancellationTokenSource();
        }

        var method = _request.Method;
        var headMethod = HttpMethods.IsHead(method);
        var pool = placement.Pool;
        var timeout = (long)(placement.Cluster.Model.Config.HttpRequest?.ActivityTimeout ?? DefaultActivityTimeout).TotalMilliseconds;
        using var server = StartServerSpan(head.Span);
        var completion = new Completion(placement, server, method, start);
        var upstream = server is null
            ? null
            : UpstreamTelemetry.Start(method, (pool.Key, Target: Encoding.ASCII.GetString(head.Span[_request.Target])),
                static s => new Uri($"http://{s.Key}{s.Target}"), pool);
        WriteUpstreamHead(head.Span, upstream, pool);

        // The head is copied: the client's bytes can go.
        _input.AdvanceTo(consumed);
        SetPhase(Phase.Upstream, timeout);
        Http1ResponseStream body;
        try
        {
            body = await pool.ExchangeAsync((this, headMethod), static (connection, s, cancellation) => s.Item1.Exchange(connection, s.headMethod, cancellation),
                _upstream.Token);
        }
        catch (Exception exception)
        {
            var status = exception is OperationCanceledException ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway;
            if (upstream is not null)
            {
                UpstreamTelemetry.Fail(upstream, exception);
                upstream.Dispose();
            }

            // A timed-out token is replaced when the next request starts.
            ConnectionForwarding.Log.RequestFailed(_owner.Logger, placement.Destination.Model.Config.Address, status, exception.Message);
            ResponseHeadWriter.WriteEmpty(_output, status);
            Complete(completion, status);
            return await FlushAsync(timeout);
        }

        if (upstream is not null)
        {
            UpstreamTelemetry.Stop(upstream, _response.Status);
            upstream.Dispose();
        }

        return await CopyAsync(body, _response.WriteTo(_output, headMethod), timeout, completion);
    }

    /// <summary>What is recorded once a response is whole, before its last bytes go out (a client that has them may already look).</summary>
    private readonly record struct Completion(EarlyForwarding.Placement Placement, Activity? Server, string Method, long Start);

    /// <summary>The head written once for the request, copied into <paramref name="connection"/>'s buffer and exchanged on it.</summary>
    private ValueTask<Http1ResponseStream> Exchange(Http1Connection connection, bool headMethod, CancellationToken cancellationToken)
    {
        connection.HeadBuffer.Clear();
        connection.HeadBuffer.Write(_head.Written.Span);
        _response.Reset();
        return connection.ExchangeAsync(new RequestHead(0, Chunked: false, ExpectContinue: false, Upgrade: false, headMethod), null, _response,
            cancellationToken);
    }

    /// <summary>
    /// The body as it arrives, each read flushed to the client at once (a stream of events reaches the client event
    /// by event); proxy-read-timeout counts from the last read. False when the connection cannot go on.
    /// </summary>
    private async ValueTask<bool> CopyAsync(Http1ResponseStream body, bool chunked, long timeout, Completion completion)
    {
        using (body)
        {
            var status = _response.Status;
            var unflushed = true;
            while (true)
            {
                SetPhase(Phase.Upstream, timeout);
                int read;
                try
                {
                    read = chunked
                        ? await body.ReadAsync(_scratch ??= new byte[8192], _upstream.Token)
                        : await body.ReadAsync(_output.GetMemory(), _upstream.Token);
                }
                catch (Exception exception)
                {
                    // The client has part of a response it cannot tell from a whole one but by the connection ending.
                    ConnectionForwarding.Log.BodyFailed(_owner.Logger, completion.Placement.Destination.Model.Config.Address, exception.Message);
                    Complete(completion, status);
                    _context.Abort();
                    return false;
                }

                if (read > 0)
                {
                    if (chunked)
                    {
                        WriteChunk(_scratch.AsSpan(0, read));
                    }
                    else
                    {
                        _output.Advance(read);
                    }

                    unflushed = true;
                }

                var last = read == 0 || body.IsComplete;
                if (last)
                {
                    if (chunked)
                    {
                        _output.Write("0\r\n\r\n"u8);
                        unflushed = true;
                    }

                    Complete(completion, status);
                }

                if (unflushed && !await FlushAsync(timeout))
                {
                    // The client went away: disposing the unfinished body closes the pod's connection.
                    if (!last)
                    {
                        Complete(completion, status);
                    }

                    return false;
                }

                unflushed = false;
                if (last)
                {
                    return true;
                }
            }
        }
    }

    private async ValueTask<bool> FlushAsync(long timeout)
    {
        SetPhase(Phase.Flush, timeout);
        try
        {
            var flushed = await _output.FlushAsync();
            return !flushed.IsCompleted && !flushed.IsCanceled;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private void WriteChunk(ReadOnlySpan<byte> data)
    {
        var span = _output.GetSpan(data.Length + 12);
        data.Length.TryFormat(span, out var written, "x", CultureInfo.InvariantCulture);
        "\r\n"u8.CopyTo(span[written..]);
        written += 2;
        data.CopyTo(span[written..]);
        written += data.Length;
        "\r\n"u8.CopyTo(span[written..]);
        _output.Advance(written + 2);
    }

    private void Complete(Completion completion, int status)
    {
        if (_owner.Metrics.Enabled)
        {
            _owner.Metrics.Record(completion.Placement.Entry.Policy, status, completion.Start);
        }

        if (completion.Server is not null)
        {
            ProxiedRequestTracing.Complete(completion.Server, completion.Method, status, completion.Placement.Entry.Endpoint);
        }
    }

    /// <summary>The request's server span when the controller traces it (<see cref="ProxiedRequestTracing"/> decides), else null.</summary>
    private Activity? StartServerSpan(ReadOnlySpan<byte> head)
    {
        if (!UpstreamTelemetry.Source.HasListeners())
        {
            return null;
        }

        var traceparent = _request.TraceParent < 0 ? null : Encoding.Latin1.GetString(_request.FieldValue(head, _request.TraceParent));
        var tracestate = _request.TraceState < 0 ? null : Encoding.Latin1.GetString(_request.FieldValue(head, _request.TraceState));
        if (!_owner.Tracing.ShouldTrace(traceparent, tracestate, out var parent)
            || UpstreamTelemetry.Source.StartActivity(_request.Method, ActivityKind.Server, parent) is not { } activity)
        {
            return null;
        }

        if (activity.IsAllDataRequested)
        {
            var host = HostString.FromUriComponent(_request.Host);
            ProxiedRequestTracing.TagServer(activity, _request.Method, "http", _request.Path, host.Host, host.Port, "1.1", _clientAddress,
                _request.UserAgent < 0 ? null : Encoding.Latin1.GetString(_request.FieldValue(head, _request.UserAgent)));
        }

        return activity;
    }

    /// <summary>What <see cref="DirectRequestHead.Write"/> writes for the same request, from the client's bytes.</summary>
    private void WriteUpstreamHead(ReadOnlySpan<byte> head, Activity? trace, Http1ConnectionPool pool)
    {
        var buffer = _head;
        buffer.Clear();
        buffer.WriteAscii(_request.Method);
        buffer.Write(" "u8);
        buffer.Write(head[_request.Target]);
        buffer.Write(" HTTP/1.1\r\nHost: "u8);
        buffer.WriteAscii(_request.Host);
        buffer.Write("\r\n"u8);
        var skipPropagated = trace is not null;
        var propagatorFields = pool.Settings.PropagatorFields.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> name = stackalloc char[64];
        foreach (ref readonly var field in _request.Fields)
        {
            var nameBytes = PlainRequest.FieldName(head, field);

            // Every name left out is shorter than 64 characters.
            if (nameBytes.Length < name.Length)
            {
                var chars = name[..Encoding.ASCII.GetChars(nameBytes, name)];
                if (NotForwarded.Contains(chars) || (skipPropagated && propagatorFields.Contains(chars)))
                {
                    continue;
                }
            }

            buffer.Write(nameBytes);
            buffer.Write(": "u8);
            buffer.Write(PlainRequest.FieldValue(head, field));
            buffer.Write("\r\n"u8);
        }

        DirectRequestHead.WriteForwarded(buffer, _clientAddress, "http", _request.Host, _localPort);
        DirectRequestHead.WriteEnd(buffer, trace, pool.Settings, _request.Method);
        buffer.Write("\r\n"u8);
    }

    /// <summary>The length of the request head at the start of <paramref name="buffer"/>, with its empty line; 0 while it is not all there.</summary>
    private static int HeadLength(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment)
        {
            var end = buffer.FirstSpan.IndexOf("\r\n\r\n"u8);
            return end < 0 ? 0 : end + 4;
        }

        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> _, "\r\n\r\n"u8) ? (int)reader.Consumed : 0;
    }

    /// <summary>The head's bytes: where they are when they came in one segment, else a copy.</summary>
    private ReadOnlyMemory<byte> HeadBytes(in ReadOnlySequence<byte> buffer, int length)
    {
        if (buffer.First.Length >= length)
        {
            return buffer.First[..length];
        }

        if (_scratch is null || _scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, 8192)];
        }

        buffer.Slice(0, length).CopyTo(_scratch);
        return _scratch.AsMemory(0, length);
    }

    private void SetPhase(Phase phase, long timeoutMs)
    {
        Volatile.Write(ref _deadline, long.MaxValue);
        Volatile.Write(ref _phase, (int)phase);
        Volatile.Write(ref _deadline, Environment.TickCount64 + timeoutMs);
    }

    /// <summary>Whether the current phase's deadline has passed.</summary>
    internal bool IsPast(long now) => now >= Volatile.Read(ref _deadline);

    /// <summary>
    /// The deadline passed: an idle or half-sent request, or a client that does not read, loses its connection, as
    /// Kestrel's own timeouts close it; a pod slower than proxy-read-timeout has its connection closed, and the
    /// client gets a 504, or an aborted connection once the response began.
    /// </summary>
    internal void OnDeadline(long now)
    {
        var deadline = Volatile.Read(ref _deadline);
        var phase = (Phase)Volatile.Read(ref _phase);
        if (now < deadline || Volatile.Read(ref _deadline) != deadline)
        {
            return;
        }

        Volatile.Write(ref _deadline, long.MaxValue);
        if (phase == Phase.Upstream)
        {
            try
            {
                _upstream.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The request ended meanwhile.
            }
        }
        else if (phase is Phase.Idle or Phase.Head)
        {
            // The read under way returns; the connection ends there (with a 408 for a half-sent head).
            _timedOut = true;
            _input.CancelPendingRead();
        }
        else
        {
            _context.Abort(new ConnectionAbortedException("The client did not read the response within the proxy's timeout."));
        }
    }

    private void RequestClose()
    {
        _closeRequested = true;

        // A read under way (between requests) returns at once; during a request, the next read does.
        _input.CancelPendingRead();
    }

    public void Dispose()
    {
        _owner.CountServed(_served);
        _closing.Dispose();
        _upstream.Dispose();
    }
}
