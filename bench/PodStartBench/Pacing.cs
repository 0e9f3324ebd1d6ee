using System.Diagnostics;

namespace KubeMesh.Bench.PodStart;

internal static class Pacing
{
    public static Task WaitUntilAsync(Stopwatch clock, TimeSpan due)
    {
        var wait = due - clock.Elapsed;
        return wait > TimeSpan.Zero ? Task.Delay(wait) : Task.CompletedTask;
    }
}
