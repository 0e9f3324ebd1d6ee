using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace KubeMesh.IngressController.Upstream;

internal sealed partial class Http1Connection
{
    /// <summary>
    /// Sends <paramref name="request"/> and returns once the response head is read; the response body is read through
    /// the response's content. Cancellation closes the connection.
    /// </summary>
    /// <exception cref="StaleConnectionException">The pooled connection had been closed by the pod before any of the
    /// request could matter to it: the caller may send it again on another connection.</exception>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, Activity? trace, CancellationToken cancellationToken)
    {
        RequestHead head;
        try
        {
            head = RequestHead.Write(request, _head, trace, _pool.Settings.Propagator, _pool.Settings.PropagatorFields);
        }
        catch
        {
            // Nothing was sent: the connection is as good as before.
            ReturnUnused();
            throw;
        }

        var sink = new MessageResponseSink(request);
        // Awaited first: the sink has a content only once the response head is read.
        var body = await ExchangeAsync(head, request.Content, sink, cancellationToken);
        sink.Content.Stream = body;
        return sink.Message;
    }

    /// <summary>The buffer a caller writes a request head into before <see cref="ExchangeAsync"/>.</summary>
    internal RequestHeadBuffer HeadBuffer => _head;

    /// <summary>Back to the pool with nothing sent: writing the head failed.</summary>
    internal void ReturnUnused() => _pool.Return(this);

    /// <summary>
    /// Sends the head written in <see cref="HeadBuffer"/> and then <paramref name="content"/>, tells the final response
    /// head to <paramref name="sink"/> and returns its body. Cancellation closes the connection.
    /// </summary>
    /// <exception cref="StaleConnectionException">The pooled connection had been closed by the pod before any of the
    /// request could matter to it: the caller may send it again on another connection.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<Http1ResponseStream> ExchangeAsync<TSink>(RequestHead head, HttpContent? content, TSink sink, CancellationToken cancellationToken)
        where TSink : IResponseHeadSink
    {
        _pendingHalves = 2;
        _receivedAny = false;
        var requestHalfOpen = true;
        var bodyStarted = false;
        var reused = Exchanges > 0;
        var registration = cancellationToken.UnsafeRegister(static state => ((Http1Connection)state!).Abort(), this);
        ResponseStart result;
        try
        {
            await SendAsync(_head.Written, default);
            if (content is null)
            {
                requestHalfOpen = false;
                CompleteRequest(sent: true);
            }
            else if (head.ExpectContinue && !await AwaitContinueAsync())
            {
                // The pod answered before asking for the body, which then never follows: the connection ends with this exchange.
                requestHalfOpen = false;
                CompleteRequest(sent: false);
            }
            else
            {
                // From here the body's task owns the request half.
                requestHalfOpen = false;
                bodyStarted = true;
                _ = SendBodyAsync(content, head, cancellationToken);
            }

            result = await ReadResponseAsync(head, sink);
        }
        catch (Exception exception)
        {
            registration.Dispose();
            Abort();
            CompleteResponse(reusable: false);
            if (requestHalfOpen)
            {
                CompleteRequest(sent: false);
            }

            throw Translate(exception, cancellationToken, retryable: reused && !_receivedAny && !bodyStarted);
        }

        // Before the connection can go back to the pool: a late cancellation must not close it under the next exchange.
        registration.Dispose();
        if (result.Complete)
        {
            CompleteResponse(result.KeepAlive);
        }

        return result.Body;
    }

    /// <summary>
    /// With Expect: 100-continue, waits for the pod's 100 Continue before the body, as HttpClient does: true to send
    /// the body (100, or no answer within the timeout), false when a final response came first (it stays buffered).
    /// </summary>
    private async ValueTask<bool> AwaitContinueAsync()
    {
        using var timeout = new CancellationTokenSource(_pool.Settings.ExpectContinueTimeout);
        while (true)
        {
            if (ResponseHeadParser.TryFindEnd(Buffered, out var length))
            {
                var status = ResponseHeadParser.StatusCode(Buffered[..length]);
                if (status is >= 200 or 101)
                {
                    return false;
                }

                Consume(length);
                if (status == 100)
                {
                    return true;
                }

                continue;
            }

            try
            {
                if (await FillAsync(timeout.Token) == 0)
                {
                    throw Ended();
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !IsAborted)
            {
                return true;
            }
        }
    }

    /// <summary>The request half: the body from the client to the pod, framed as the head said.</summary>
    private async Task SendBodyAsync(HttpContent content, RequestHead head, CancellationToken cancellationToken)
    {
        var sent = false;
        try
        {
            var body = new Http1RequestBodyStream(this, head);
            await content.CopyToAsync(body, cancellationToken);
            await body.CompleteAsync(cancellationToken);
            sent = true;
        }
        catch (Exception)
        {
            // The pod holds part of a request: nothing more can go over this connection. The failure itself reaches
            // YARP through its own request content, which reports whether the client or the pod failed.
            Abort();
        }
        finally
        {
            CompleteRequest(sent);
        }
    }

    private Exception Translate(Exception exception, CancellationToken cancellationToken, bool retryable)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return new TaskCanceledException("The upstream request was canceled.", exception, cancellationToken);
        }

        if (retryable && exception is SocketException or ObjectDisposedException or HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded })
        {
            return new StaleConnectionException(exception);
        }

        return exception switch
        {
            HttpRequestException => exception,
            SocketException socket => new HttpRequestException(HttpRequestError.ConnectionError, $"{socket.Message} ({_pool.Key})", socket),
            _ => new HttpRequestException(HttpRequestError.Unknown, $"{exception.Message} ({_pool.Key})", exception),
        };
    }
}
