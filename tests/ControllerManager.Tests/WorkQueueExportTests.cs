using KubeMesh.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace KubeMesh.ControllerManager.Tests;

/// <summary>The controllers' queues reach the dashboard: the service defaults' OpenTelemetry setup exports the workqueue metrics.</summary>
public sealed class WorkQueueExportTests
{
    [Fact]
    public async Task ServiceDefaults_NamedQueueAtWork_ExportsClientGoWorkqueueMetrics()
    {
        var exported = new List<Metric>();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Only an endpoint turns export on; nothing listens on port 9 (discard), and a refused export is dropped.
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9",
        });
        builder.AddServiceDefaults();
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddInMemoryExporter(exported));
        using var host = builder.Build();
        await host.StartAsync();
        var name = "export-" + Guid.NewGuid().ToString("N")[..8];
        using (var queue = new WorkQueue<string>(name: name))
        {
            queue.Add("a");
            var (item, _) = await queue.GetAsync().WaitAsync(TimeSpan.FromSeconds(10));
            queue.AddRateLimited(item);
            host.Services.GetRequiredService<MeterProvider>().ForceFlush();
            queue.Done(item);
        }

        host.Services.GetRequiredService<MeterProvider>().ForceFlush();
        await host.StopAsync();

        var workqueue = exported.Where(m => m.MeterName == WorkQueueMetrics.MeterName).Select(m => m.Name).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(WorkQueueMetrics.InstrumentNames.Order(StringComparer.Ordinal), workqueue);
        var queueDuration = exported.First(m => m.Name == "workqueue_queue_duration_seconds");
        Assert.Equal("s", queueDuration.Unit);
        Assert.Contains(PointsOf(queueDuration), p => Tag(p, "name") == name);
        Assert.Equal([1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, double.PositiveInfinity], Buckets(queueDuration));
    }

    private static List<MetricPoint> PointsOf(Metric metric)
    {
        var points = new List<MetricPoint>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            points.Add(point);
        }

        return points;
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }

    private static List<double> Buckets(Metric histogram)
    {
        var bounds = new List<double>();
        foreach (var bucket in PointsOf(histogram)[0].GetHistogramBuckets())
        {
            bounds.Add(bucket.ExplicitBound);
        }

        return bounds;
    }
}
