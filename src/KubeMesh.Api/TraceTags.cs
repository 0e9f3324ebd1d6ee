namespace KubeMesh.Api;

/// <summary>Span tags every component agrees on: what the work sets, and what the samplers of ServiceDefaults read.</summary>
public static class TraceTags
{
    /// <summary>On a root span for background work, what started it ("resync", "heartbeat"); absent on work a change asked for.</summary>
    public const string Trigger = "kubemesh.trigger";
}
