using System.Globalization;
using System.Text.RegularExpressions;

namespace KubeMesh.Bench.Scale;

/// <summary>
/// The api-server's /metrics at one moment: apiserver_request_duration_seconds buckets per verb and resource, and
/// apiserver_watch_events_total. Two snapshots give what happened between them; percentiles come from the buckets by
/// linear interpolation, as Prometheus' histogram_quantile (and Kubernetes' API latency SLO) compute them.
/// </summary>
public sealed partial class ApiMetrics
{
    private readonly Dictionary<(string Verb, string Resource), SortedDictionary<double, double>> _buckets = [];
    private double _watchEvents;

    public static async Task<ApiMetrics> ScrapeAsync(HttpClient http, Uri metrics)
    {
        var text = await http.GetStringAsync(metrics);
        var snapshot = new ApiMetrics();
        foreach (var line in text.Split('\n'))
        {
            var match = Sample().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var labels = Labels().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            var value = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            var name = match.Groups["name"].Value;
            if (name.StartsWith("apiserver_request_duration_seconds", StringComparison.Ordinal) && name.EndsWith("_bucket", StringComparison.Ordinal))
            {
                var key = (labels.GetValueOrDefault("verb", "?"), labels.GetValueOrDefault("resource", "?"));
                var le = labels.GetValueOrDefault("le", "+Inf") is "+Inf" ? double.PositiveInfinity : double.Parse(labels["le"], CultureInfo.InvariantCulture);
                var buckets = snapshot._buckets.TryGetValue(key, out var b) ? b : snapshot._buckets[key] = [];
                buckets[le] = buckets.GetValueOrDefault(le) + value;
            }
            else if (name.StartsWith("apiserver_watch_events", StringComparison.Ordinal))
            {
                snapshot._watchEvents += value;
            }
        }

        return snapshot;
    }

    /// <summary>Watch events sent between <paramref name="before"/> and this snapshot.</summary>
    public double WatchEventsSince(ApiMetrics before) => _watchEvents - before._watchEvents;

    /// <summary>Requests between the snapshots whose verb passes <paramref name="verbs"/>: count, p50 and p99 in seconds.</summary>
    public (double Count, double P50, double P99) Since(ApiMetrics before, Func<string, bool> verbs, Func<string, bool>? resources = null)
    {
        var cumulative = new SortedDictionary<double, double>();
        foreach (var ((verb, resource), buckets) in _buckets)
        {
            if (!verbs(verb) || (resources is not null && !resources(resource)))
            {
                continue;
            }

            var earlier = before._buckets.GetValueOrDefault((verb, resource));
            foreach (var (le, count) in buckets)
            {
                cumulative[le] = cumulative.GetValueOrDefault(le) + count - (earlier?.GetValueOrDefault(le) ?? 0);
            }
        }

        var total = cumulative.Count == 0 ? 0 : cumulative.Last().Value;
        return (total, Quantile(0.5, cumulative, total), Quantile(0.99, cumulative, total));
    }

    public IEnumerable<string> Verbs => _buckets.Keys.Select(k => k.Verb).Distinct().Order(StringComparer.Ordinal);

    private static double Quantile(double q, SortedDictionary<double, double> cumulative, double total)
    {
        if (total <= 0)
        {
            return double.NaN;
        }

        var rank = q * total;
        var (lowerBound, lowerCount) = (0.0, 0.0);
        foreach (var (le, count) in cumulative)
        {
            if (count >= rank)
            {
                if (double.IsPositiveInfinity(le))
                {
                    return lowerBound;
                }

                var fraction = count > lowerCount ? (rank - lowerCount) / (count - lowerCount) : 1;
                return lowerBound + ((le - lowerBound) * fraction);
            }

            (lowerBound, lowerCount) = (le, count);
        }

        return lowerBound;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>[-+0-9.eEInfa]+)")]
    private static partial Regex Sample();

    [GeneratedRegex(@"(\w+)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Labels();
}
