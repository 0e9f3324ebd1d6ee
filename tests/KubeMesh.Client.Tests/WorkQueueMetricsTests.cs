using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace KubeMesh.Client.Tests;

/// <summary>A named queue publishes client-go's workqueue metrics, labelled with its name, to any listener.</summary>
public sealed class WorkQueueMetricsTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UnixEpoch);
    private readonly string _name = "test-" + Guid.NewGuid().ToString("N")[..8];
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value)> _measurements = [];

    public WorkQueueMetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == WorkQueueMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task NamedQueue_AddGetDoneRetry_PublishesClientGoMetrics()
    {
        using var queue = new WorkQueue<string>(timeProvider: _clock, name: _name);
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");
        _clock.Advance(TimeSpan.FromSeconds(3));

        var (item, _) = await queue.GetAsync();
        _clock.Advance(TimeSpan.FromSeconds(2));
        _listener.RecordObservableInstruments();
        queue.AddRateLimited(item);
        queue.Done(item);

        Assert.Equal(2, Sum("workqueue_adds_total"));
        Assert.Equal(1, Sum("workqueue_depth"));
        Assert.Equal([3.0], Values("workqueue_queue_duration_seconds"));
        Assert.Equal([2.0], Values("workqueue_work_duration_seconds"));
        Assert.Equal(1, Sum("workqueue_retries_total"));
        Assert.Equal([2.0], Values("workqueue_unfinished_work_seconds"));
        Assert.Equal([2.0], Values("workqueue_longest_running_processor_seconds"));
    }

    [Fact]
    public void NamedQueue_FirstAdd_OpensItsRetriesSeriesAtZero()
    {
        using var queue = new WorkQueue<string>(timeProvider: _clock, name: _name);
        queue.Add("a");
        queue.Add("b");

        // As client-go's provider creates it with the queue: an exporter lists the queue's retries before any retry.
        Assert.Equal([0.0], Values("workqueue_retries_total"));
    }

    [Fact]
    public void NamedQueue_Disposed_NoLongerCountsTowardItsDepth()
    {
        var queue = new WorkQueue<string>(timeProvider: _clock, name: _name);
        queue.Add("a");
        queue.Add("b");

        queue.Dispose();

        Assert.Equal(0, Sum("workqueue_depth"));
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        foreach (var tag in tags)
        {
            if (tag.Key == WorkQueueMetrics.NameTag && Equals(tag.Value, _name))
            {
                lock (_measurements)
                {
                    _measurements.Add((instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)));
                }
            }
        }
    }

    private List<double> Values(string instrument)
    {
        lock (_measurements)
        {
            return [.. _measurements.Where(m => m.Instrument == instrument).Select(m => m.Value)];
        }
    }

    private double Sum(string instrument) => Values(instrument).Sum();
}
