using System.Diagnostics;
using OpenTelemetry.Trace;

namespace KubeMesh.IngressController.Telemetry;

/// <summary>
/// Which traces the controller records, as ingress-nginx's otel-sampler-ratio: a request that starts a trace here
/// (a server span without a parent) is recorded at <c>IngressController:TraceSampleRatio</c>, by trace id; the
/// controller's own calls to the api-server (client spans with no parent) always are. As OpenTelemetry's default
/// ParentBased sampler, a request carrying a sampled traceparent is recorded and spans under an unrecorded one are not.
/// At a load test's rate, recording every proxied request cost the controller more CPU than proxying it and kept the
/// dashboard busy ingesting spans.
/// </summary>
internal sealed class ProxiedRequestSampler : Sampler
{
    private readonly Sampler _proxied;

    private ProxiedRequestSampler(double ratio)
    {
        _proxied = new TraceIdRatioBasedSampler(ratio);
        Description = $"ProxiedRequestSampler{{{ratio}}}";
    }

    public static Sampler Create(double ratio) => new ParentBasedSampler(new ProxiedRequestSampler(ratio));

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind == ActivityKind.Server
            ? _proxied.ShouldSample(samplingParameters)
            : new SamplingResult(SamplingDecision.RecordAndSample);
}
