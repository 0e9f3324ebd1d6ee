namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>The 1, 5 and 15 minute load averages (what uptime prints): other work on the machine skews every column.</summary>
internal static class LoadAverage
{
    public static string Read() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "n/a";
}
