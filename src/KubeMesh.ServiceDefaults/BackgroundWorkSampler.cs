using System.Diagnostics;
using KubeMesh.Api;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps the changes users make and thins out the cluster's own chatter. A span with a parent follows the parent's
/// decision, so a change's trace is whole or absent in every component; a root span for background work (tagged
/// <see cref="TraceTags.Trigger"/>: lease renewals, heartbeat status reports, resyncs) is kept at
/// <see cref="BackgroundRatio"/>, by trace id; every other root (a user's request, a change) is kept.
/// </summary>
public sealed class BackgroundWorkSampler : Sampler
{
    /// <summary>The default share of background traces kept: a lease renewal every 10 s per node shows about once in 17 minutes.</summary>
    public const double DefaultBackgroundRatio = 0.01;

    private readonly Sampler _inner;

    public BackgroundWorkSampler(double backgroundRatio = DefaultBackgroundRatio)
    {
        if (backgroundRatio is < 0 or > 1 || double.IsNaN(backgroundRatio))
        {
            throw new ArgumentOutOfRangeException(nameof(backgroundRatio), backgroundRatio, "Tracing:BackgroundSampleRatio must be between 0 and 1");
        }

        BackgroundRatio = backgroundRatio;
        _inner = new ParentBasedSampler(new RootSampler(new TraceIdRatioBasedSampler(backgroundRatio)));
        Description = $"BackgroundWorkSampler{{{backgroundRatio}}}";
    }

    public double BackgroundRatio { get; }

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) => _inner.ShouldSample(samplingParameters);

    private sealed class RootSampler(Sampler background) : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
        {
            if (samplingParameters.Tags is { } tags)
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == TraceTags.Trigger)
                    {
                        return background.ShouldSample(samplingParameters);
                    }
                }
            }

            return new SamplingResult(SamplingDecision.RecordAndSample);
        }
    }
}
