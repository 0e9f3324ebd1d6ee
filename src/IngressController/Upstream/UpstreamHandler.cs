using System.Diagnostics;

namespace KubeMesh.IngressController.Upstream;

/// <summary>
/// The proxy's HttpMessageHandler: plain HTTP/1.1 to the pods over <see cref="Http1ConnectionPools"/>; anything
/// else (HTTPS or HTTP/2 upstreams, which this controller does not configure) through HttpClient's own handler.
/// </summary>
internal sealed class UpstreamHandler(Http1ConnectionPools pools, HttpMessageInvoker fallback) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Http1ConnectionPools.Serves(request) ? SendHttp1Async(request, cancellationToken) : fallback.SendAsync(request, cancellationToken);

    private async Task<HttpResponseMessage> SendHttp1Async(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var pool = pools.For(request.RequestUri!);
        using var activity = UpstreamTelemetry.Start(request, pool);

        // The pod sees this hop's span as parent; without one (not sampled) the request's own context, unrecorded.
        var trace = activity ?? Activity.Current;
        try
        {
            var response = await pool.ExchangeAsync((request, trace),
                static (connection, s, cancellation) => new ValueTask<HttpResponseMessage>(connection.SendAsync(s.request, s.trace, cancellation)),
                cancellationToken);
            if (activity is not null)
            {
                UpstreamTelemetry.Stop(activity, response);
            }

            return response;
        }
        catch (Exception exception) when (activity is not null)
        {
            UpstreamTelemetry.Fail(activity, exception);
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            fallback.Dispose();
        }

        base.Dispose(disposing);
    }
}
