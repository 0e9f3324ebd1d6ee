using Google.Protobuf.WellKnownTypes;

namespace KubeMesh.ApiServer.Registry;

/// <summary>Kubernetes' metav1.Time has second precision: timestamps the server sets drop the fraction.</summary>
public static class MetaTime
{
    public static DateTimeOffset Now(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
    }

    public static Timestamp NowStamp(TimeProvider clock) => Timestamp.FromDateTimeOffset(Now(clock));
}
