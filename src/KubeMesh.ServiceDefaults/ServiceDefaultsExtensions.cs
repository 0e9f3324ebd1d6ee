using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using KubeMesh.Api;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every KubeMesh component shares: OpenTelemetry logs, metrics and traces exported to the Aspire
/// dashboard when it is there, and /healthz + /readyz endpoints like kube components serve.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Meter names that components publish; the dashboard shows them under Metrics. Among them KubeMesh.WorkQueue:
    /// client-go's workqueue_* metrics of every controller's and reconciler's queue, labelled with its name.
    /// </summary>
    public const string MeterPrefix = "KubeMesh.";

    /// <summary>The share of background traces (lease renewals, heartbeats, resyncs) kept, 0 to 1; see <see cref="BackgroundWorkSampler"/>.</summary>
    public const string BackgroundSampleRatioKey = "Tracing:BackgroundSampleRatio";

    /// <param name="serverRequestSpans">
    /// Whether ASP.NET Core's instrumentation makes a server span of every request. A component that serves traffic
    /// at a load test's rate and decides for itself which requests to trace (the ingress controller) passes false:
    /// with the instrumentation on, the hosting starts an Activity for every request even when the sampler drops it,
    /// since OpenTelemetry keeps unsampled root spans to propagate their trace id.
    /// </param>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, bool serverRequestSpans = true)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry(serverRequestSpans);
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder, bool serverRequestSpans = true)
        where TBuilder : IHostApplicationBuilder
    {
        // Without an exporter the SDK would still start an Activity for every request and every proxied call,
        // aggregate every metric and copy every log record, only to drop them all: on the ingress's hot path
        // that was most of its per-request CPU and allocation. The meters still publish for dotnet-counters.
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return builder;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(MeterPrefix + "*"))
            .WithTracing(tracing =>
            {
                tracing
                    .SetSampler(new BackgroundWorkSampler(
                        builder.Configuration.GetValue(BackgroundSampleRatioKey, BackgroundWorkSampler.DefaultBackgroundRatio)))
                    .AddSource(builder.Environment.ApplicationName)
                    .AddSource(MeterPrefix + "*")

                    // One span per gRPC call, named for what it does, and the parent the server's span hangs under.
                    .AddGrpcClientSpans();
                if (serverRequestSpans)
                {
                    tracing.AddAspNetCoreInstrumentation(o => o.Filter = ctx => !IsHealthPath(ctx.Request.Path));
                }
            });

        builder.Services.AddOpenTelemetry().UseOtlpExporter();
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        app.MapHealthChecks("/readyz");
        return app;
    }

    private static bool IsHealthPath(string? path) =>
        path is "/healthz" or "/readyz" || (path?.StartsWith("/grpc.health", StringComparison.Ordinal) ?? false);
}
