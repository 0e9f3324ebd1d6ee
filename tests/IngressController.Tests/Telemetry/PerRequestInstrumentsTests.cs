using System.Diagnostics.Metrics;
using KubeMesh.IngressController.Metrics;
using KubeMesh.IngressController.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace KubeMesh.IngressController.Tests.Telemetry;

/// <summary>
/// Which instruments the controller's OpenTelemetry meter provider listens to: an instrument it never enables is one
/// ASP.NET Core skips on every request.
/// </summary>
public sealed class PerRequestInstrumentsTests
{
    [Fact]
    public void AspNetCorePerRequestInstruments_AreNeverEnabled_TheControllersOwnAndKestrelsAre()
    {
        using var meters = new Meters();
        var exported = new Exported();
        using var provider = Listen(meters, exported).DropPerRequestInstruments().Build();

        Assert.False(meters.RequestDuration.Enabled);
        Assert.False(meters.ActiveRequests.Enabled);
        Assert.False(meters.MatchAttempts.Enabled);
        Assert.True(meters.IngressDuration.Enabled);
        Assert.True(meters.ActiveConnections.Enabled);

        meters.RecordOneRequest();
        provider.ForceFlush();
        Assert.Equal(["kestrel.active_connections", "kubemesh.ingress.request.duration"], exported.Names.Order());
    }

    [Fact]
    public void WithoutTheViews_TheSameInstrumentsAreEnabled()
    {
        using var meters = new Meters();
        var exported = new Exported();
        using var provider = Listen(meters, exported).Build();

        Assert.True(meters.RequestDuration.Enabled);
        Assert.True(meters.ActiveRequests.Enabled);
        Assert.True(meters.MatchAttempts.Enabled);

        meters.RecordOneRequest();
        provider.ForceFlush();
        Assert.Contains("http.server.request.duration", exported.Names);
    }

    private static MeterProviderBuilder Listen(Meters meters, Exported exported) =>
        Sdk.CreateMeterProviderBuilder()
            .AddMeter(meters.Hosting.Name, meters.Routing.Name, meters.Kestrel.Name, meters.Ingress.Name)
            .AddReader(new BaseExportingMetricReader(exported));

    /// <summary>The names of the metrics an export carried.</summary>
    private sealed class Exported : BaseExporter<Metric>
    {
        public HashSet<string> Names { get; } = [];

        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                Names.Add(metric.Name);
            }

            return ExportResult.Success;
        }
    }

    /// <summary>Instruments as ASP.NET Core and the controller name them, on meters of this test's own.</summary>
    private sealed class Meters : IDisposable
    {
        public Meters()
        {
            RequestDuration = Hosting.CreateHistogram<double>("http.server.request.duration");
            ActiveRequests = Hosting.CreateUpDownCounter<long>("http.server.active_requests");
            MatchAttempts = Routing.CreateCounter<long>("aspnetcore.routing.match_attempts");
            ActiveConnections = Kestrel.CreateUpDownCounter<long>("kestrel.active_connections");
            IngressDuration = Ingress.CreateHistogram<double>("kubemesh.ingress.request.duration");
        }

        public Meter Hosting { get; } = new("Microsoft.AspNetCore.Hosting");

        public Meter Routing { get; } = new("Microsoft.AspNetCore.Routing");

        public Meter Kestrel { get; } = new("Microsoft.AspNetCore.Server.Kestrel");

        public Meter Ingress { get; } = new(IngressMetrics.MeterName);

        public Histogram<double> RequestDuration { get; }

        public UpDownCounter<long> ActiveRequests { get; }

        public Counter<long> MatchAttempts { get; }

        public UpDownCounter<long> ActiveConnections { get; }

        public Histogram<double> IngressDuration { get; }

        public void RecordOneRequest()
        {
            ActiveConnections.Add(1);
            ActiveRequests.Add(1);
            MatchAttempts.Add(1);
            RequestDuration.Record(0.001);
            IngressDuration.Record(0.001);
            ActiveRequests.Add(-1);
        }

        public void Dispose()
        {
            Hosting.Dispose();
            Routing.Dispose();
            Kestrel.Dispose();
            Ingress.Dispose();
        }
    }
}
