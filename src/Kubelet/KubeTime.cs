using Google.Protobuf.WellKnownTypes;

namespace KubeMesh.Kubelet;

/// <summary>Kubernetes' metav1.Time has whole seconds; the kubelet's times are truncated the same way.</summary>
internal static class KubeTime
{
    public static Timestamp Stamp(DateTimeOffset time) =>
        Timestamp.FromDateTimeOffset(time.AddTicks(-(time.UtcTicks % TimeSpan.TicksPerSecond)));

    /// <summary>MicroTime (lease renewTime) keeps microseconds.</summary>
    public static Timestamp Precise(DateTimeOffset time) =>
        Timestamp.FromDateTimeOffset(time.AddTicks(-(time.UtcTicks % 10)));
}
