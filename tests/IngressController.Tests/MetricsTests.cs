using System.Diagnostics.Metrics;
using KubeMesh.IngressController.Tests.Infrastructure;

namespace KubeMesh.IngressController.Tests;

[Collection(ClusterCollection.Name)]
public sealed class MetricsTests(ClusterFixture cluster) : IDisposable
{
    private readonly IngressHttp _client = new(cluster);

    [SkippableFact]
    public async Task Metrics_ProxiedRequest_CountedAndTimedPerRule()
    {
        await using var backend = await EchoBackend.StartAsync("metered");
        await cluster.CreateServiceAsync("metered", backend);
        await cluster.CreateIngressAsync(ClusterFixture.Ingress("metered", "metered.example.com", ("/m", "Prefix", "metered")));
        await Eventually.Until(() => _client.GetBodyAsync("metered.example.com", "/m"), b => b.StartsWith("200 "), ClusterFixture.Timeout, "the ingress is served");

        var measurements = new List<(string Instrument, object? Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "KubeMesh.IngressController")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void OnMeasurement<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        }

        listener.SetMeasurementEventCallback<long>(OnMeasurement);
        listener.SetMeasurementEventCallback<double>(OnMeasurement);
        listener.Start();

        Assert.StartsWith("200 ", await _client.GetBodyAsync("metered.example.com", "/m/1"));
        Assert.StartsWith("404 ", await _client.GetBodyAsync("metered.example.com", "/other"));

        // Kestrel's pipeline records a request once its middleware returns, which can be just after the client has the
        // whole response. The count is an observable counter: each collection reports the totals so far, so only the
        // latest collection's counts are kept.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            lock (measurements)
            {
                measurements.RemoveAll(m => m.Instrument == "kubemesh.ingress.requests");
            }

            listener.RecordObservableInstruments();
            lock (measurements)
            {
                if (DateTime.UtcNow > deadline
                    || measurements.Any(m => m.Instrument == "kubemesh.ingress.requests" && Equals(m.Tags["http.response.status_code"], 404)))
                {
                    break;
                }
            }

            await Task.Delay(20);
        }

        lock (measurements)
        {
            var ok = Assert.Single(measurements, m => m.Instrument == "kubemesh.ingress.requests" && Equals(m.Tags["http.response.status_code"], 200) && (string?)m.Tags["ingress.name"] == "metered");
            Assert.Equal(1L, ok.Value);
            Assert.Equal("metered.example.com", ok.Tags["host"]);
            Assert.Equal("/m", ok.Tags["path"]);
            Assert.Equal("default", ok.Tags["ingress.namespace"]);
            Assert.Single(measurements, m => m.Instrument == "kubemesh.ingress.request.duration" && Equals(m.Tags["http.response.status_code"], 200) && (string?)m.Tags["ingress.name"] == "metered");
            Assert.Contains(measurements, m => m.Instrument == "kubemesh.ingress.requests" && Equals(m.Tags["http.response.status_code"], 404) && (string?)m.Tags["host"] == "metered.example.com");
        }
    }

    public void Dispose() => _client.Dispose();
}
