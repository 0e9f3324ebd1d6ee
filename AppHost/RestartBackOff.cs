namespace KubeMesh.AppHost;

/// <summary>
/// How long a component that exited waits before it is started again: <see cref="Initial"/> doubling to
/// <see cref="Max"/> (systemd's RestartSec with RestartSteps, the kubelet's CrashLoopBackOff), back to
/// <see cref="Initial"/> once a run lasted <see cref="ResetAfter"/> (the kubelet resets after twice its longest delay).
/// </summary>
public sealed record RestartBackOff(TimeSpan Initial, TimeSpan Max, TimeSpan ResetAfter)
{
    public static RestartBackOff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));

    /// <summary>The wait before restart number <paramref name="failures"/> + 1 of a crash loop (0: the first).</summary>
    public TimeSpan Delay(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(Initial.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 30)), Max.TotalMilliseconds));
}
