namespace KubeMesh.Client;

/// <summary>
/// One named queue's side of <see cref="WorkQueueMetrics"/> (client-go's defaultQueueMetrics): when each waiting
/// key was added and each key in progress was handed out, for the durations and the in-progress gauges.
/// </summary>
internal sealed class QueueMetrics<TKey>(string name, TimeProvider time) : WorkQueueMetrics.IInProgress
    where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly KeyValuePair<string, object?> _tag = WorkQueueMetrics.Tag(name);
    private readonly Dictionary<TKey, long> _added = [];
    private readonly Dictionary<TKey, long> _started = [];
    private int _depth;
    private volatile bool _retriesOpen;

    public string Name => name;

    /// <summary>
    /// Opens the queue's retries series at 0, as client-go's metrics provider creates it with the queue, so that a
    /// queue that never retried still shows workqueue_retries_total 0 (an OpenTelemetry counter has no series
    /// before its first measurement). Done at the first add once something listens: queues are made before the
    /// components' MeterProvider starts, and a measurement nobody listens to is lost. Two racing adds may both
    /// add 0, which changes nothing.
    /// </summary>
    private void OpenRetries()
    {
        if (!_retriesOpen && WorkQueueMetrics.Retries.Enabled)
        {
            _retriesOpen = true;
            WorkQueueMetrics.Retries.Add(0, _tag);
        }
    }

    /// <summary>A key became dirty: it waits to be handed out (possibly once its current processing is done).</summary>
    public void Add(TKey item)
    {
        OpenRetries();
        WorkQueueMetrics.Adds.Add(1, _tag);
        WorkQueueMetrics.Depth.Add(1, _tag);
        lock (_lock)
        {
            _depth++;
            _added.TryAdd(item, time.GetTimestamp());
        }
    }

    public void Get(TKey item)
    {
        WorkQueueMetrics.Depth.Add(-1, _tag);
        var now = time.GetTimestamp();
        lock (_lock)
        {
            _depth--;
            _started[item] = now;
            if (_added.Remove(item, out var added))
            {
                WorkQueueMetrics.QueueDuration.Record(time.GetElapsedTime(added, now).TotalSeconds, _tag);
            }
        }
    }

    public void Done(TKey item)
    {
        lock (_lock)
        {
            if (_started.Remove(item, out var started))
            {
                WorkQueueMetrics.WorkDuration.Record(time.GetElapsedTime(started).TotalSeconds, _tag);
            }
        }
    }

    public void Retry() => WorkQueueMetrics.Retries.Add(1, _tag);

    public (double Total, double Longest) InProgressSeconds()
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            double total = 0, longest = 0;
            foreach (var started in _started.Values)
            {
                var seconds = time.GetElapsedTime(started, now).TotalSeconds;
                total += seconds;
                longest = Math.Max(longest, seconds);
            }

            return (total, longest);
        }
    }

    /// <summary>The queue is gone: what it still held no longer counts toward its name's depth.</summary>
    public void Close()
    {
        WorkQueueMetrics.Unregister(this);
        lock (_lock)
        {
            WorkQueueMetrics.Depth.Add(-_depth, _tag);
            _depth = 0;
            _added.Clear();
            _started.Clear();
        }
    }
}
