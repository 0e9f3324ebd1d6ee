using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest;

/// <summary>
/// kube-apiserver's /metrics on the REST port, behind the same authentication and authorization as every other path
/// (nonResourceURL "/metrics", which cluster-admin and the system:monitoring group may get): the OpenTelemetry
/// Prometheus exporter's answer, so `kubectl get --raw /metrics` shows apiserver_request_total and the rest.
/// </summary>
public sealed class MetricsScrape
{
    private RequestDelegate? _exporter;

    /// <summary>Builds the exporter's pipeline once the application is built (the exporter is a middleware).</summary>
    public void Build(IApplicationBuilder app) =>
        _exporter = app.New().UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider: null, predicate: _ => true, path: null, configureBranchedPipeline: null, optionsName: null).Build();

    public Task WriteAsync(HttpContext context) =>
        (_exporter ?? throw new InvalidOperationException("the metrics exporter has not been built"))(context);
}
