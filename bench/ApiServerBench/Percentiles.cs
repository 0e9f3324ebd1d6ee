namespace KubeMesh.Bench.ApiServer;

/// <summary>Latency percentiles in microseconds (nearest-rank).</summary>
public sealed record Percentiles(int Count, double P50, double P99, double Max)
{
    public static Percentiles Of(List<double> samples)
    {
        if (samples.Count == 0)
        {
            return new(0, double.NaN, double.NaN, double.NaN);
        }

        samples.Sort();
        double At(double p) => samples[Math.Clamp((int)Math.Ceiling(p * samples.Count) - 1, 0, samples.Count - 1)];
        return new(samples.Count, At(0.50), At(0.99), samples[^1]);
    }
}
