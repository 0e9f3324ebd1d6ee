using System.Diagnostics;

namespace KubeMesh.IngressController.Upstream;

/// <summary>
/// The client span of a proxied request, as HttpClient's would be (OpenTelemetry's HTTP client conventions), under
/// the request's server span (<see cref="Telemetry.ProxiedRequestTracing"/>). Only a traced request gets one: without
/// a recorded span to hang under, it would start a trace of its own for every request. An untraced request passes
/// the client's trace context on as the client sent it.
/// </summary>
internal static class UpstreamTelemetry
{
    public const string SourceName = "KubeMesh.IngressController";

    internal static readonly ActivitySource Source = new(SourceName);

    public static Activity? Start(HttpRequestMessage request, Http1ConnectionPool pool) =>
        Start(request.Method.Method, request.RequestUri!, static uri => uri, pool);

    /// <summary>The client span; <paramref name="url"/> makes the full URL only when the span records its tags.</summary>
    public static Activity? Start<TState>(string method, TState state, Func<TState, Uri> url, Http1ConnectionPool pool)
    {
        if (Activity.Current is not { Recorded: true } || Source.StartActivity(method, ActivityKind.Client) is not { } activity)
        {
            return null;
        }

        if (activity.IsAllDataRequested)
        {
            var uri = url(state);
            activity.SetTag("http.request.method", method);
            activity.SetTag("server.address", uri.IdnHost);
            activity.SetTag("server.port", uri.Port);
            activity.SetTag("url.full", uri.AbsoluteUri);
            activity.SetTag("network.protocol.version", "1.1");
            activity.SetTag("upstream.pool", pool.Key);
        }

        return activity;
    }

    public static void Stop(Activity activity, HttpResponseMessage response) => Stop(activity, (int)response.StatusCode);

    public static void Stop(Activity activity, int status)
    {
        activity.SetTag("http.response.status_code", status);
        if (status >= 500)
        {
            activity.SetStatus(ActivityStatusCode.Error);
            activity.SetTag("error.type", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public static void Fail(Activity activity, Exception exception)
    {
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag("error.type", exception is HttpRequestException { HttpRequestError: var error } ? error.ToString() : exception.GetType().FullName);
    }
}
