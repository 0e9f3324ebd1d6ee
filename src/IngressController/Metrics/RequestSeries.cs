namespace KubeMesh.IngressController.Metrics;

/// <summary>
/// The requests of one ingress rule (namespace, ingress, host, path): a count per status code, kept with a plain
/// atomic increment, and the tags of each status code built once, so that recording a request allocates nothing and
/// the counter costs no lookup in the metrics SDK on the request path.
/// </summary>
internal sealed class RequestSeries(string ingressNamespace, string ingressName, string host, string path)
{
    private const int StatusCodes = 1000;
    private readonly long[] _counts = new long[StatusCodes];
    private readonly KeyValuePair<string, object?>[]?[] _tags = new KeyValuePair<string, object?>[StatusCodes][];

    public void Count(int statusCode) => Interlocked.Increment(ref _counts[Slot(statusCode)]);

    public ReadOnlySpan<KeyValuePair<string, object?>> Tags(int statusCode)
    {
        var slot = Slot(statusCode);

        // A benign race: two threads may build the same tags once each.
        return _tags[slot] ??=
        [
            new("ingress.namespace", ingressNamespace),
            new("ingress.name", ingressName),
            new("host", host),
            new("path", path),
            new("http.response.status_code", slot),
        ];
    }

    /// <summary>Each status code seen so far with its running total, for the observable counter.</summary>
    public IEnumerable<System.Diagnostics.Metrics.Measurement<long>> Totals()
    {
        for (var slot = 0; slot < StatusCodes; slot++)
        {
            var count = Volatile.Read(ref _counts[slot]);
            if (count > 0)
            {
                yield return new(count, Tags(slot));
            }
        }
    }

    private static int Slot(int statusCode) => (uint)statusCode < StatusCodes ? statusCode : 0;
}
