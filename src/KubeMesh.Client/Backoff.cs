namespace KubeMesh.Client;

/// <summary>
/// A bounded exponential backoff (apimachinery's wait.Backoff): at most <see cref="Steps"/> attempts, waiting
/// <see cref="Duration"/> times <see cref="Factor"/> per retry, plus up to <see cref="Jitter"/> of each wait.
/// </summary>
public sealed record Backoff(int Steps, TimeSpan Duration, double Factor, double Jitter, TimeSpan? Cap = null)
{
    /// <summary>client-go's retry.DefaultRetry: five quick tries, for conflicts that clear as soon as one re-reads.</summary>
    public static Backoff DefaultRetry { get; } = new(5, TimeSpan.FromMilliseconds(10), 1.0, 0.1);

    /// <summary>client-go's retry.DefaultBackoff: for errors that take longer to clear.</summary>
    public static Backoff DefaultBackoff { get; } = new(4, TimeSpan.FromMilliseconds(10), 5.0, 0.1);

    /// <summary>The wait before retry number <paramref name="retry"/> (0 for the wait after the first attempt).</summary>
    public TimeSpan Delay(int retry)
    {
        var delay = Duration.TotalMilliseconds * Math.Pow(Factor, retry);
        if (Cap is { } cap)
        {
            delay = Math.Min(delay, cap.TotalMilliseconds);
        }

        delay += delay * Jitter * Random.Shared.NextDouble();
        return TimeSpan.FromMilliseconds(delay);
    }
}
