namespace KubeMesh.Bench.IngressLoadTest;

internal static class Report
{
    /// <summary>
    /// A column's rounds as one figure: the median requests/s and, on its own, the median of the rounds' p99s; errors
    /// summed; the load averages before each round.
    /// </summary>
    public static WrkResult Median(IReadOnlyList<WrkResult> rounds) => new(
        rounds[0].Name,
        rounds.Select(r => r.RequestsPerSecond).Order().ElementAt(rounds.Count / 2),
        rounds.Select(r => r.P99Milliseconds).Order().ElementAt(rounds.Count / 2),
        rounds.Sum(r => r.Errors),
        string.Join(' ', rounds.Select(r => r.ErrorDetail).Where(d => d.Length > 0)),
        string.Join(" | ", rounds.Select(r => r.LoadBefore)),
        MedianOf(rounds, r => r.ProxyCpuPerRequest),
        MedianOf(rounds, r => r.ProxyUserPerRequest));

    /// <param name="columns">direct, ingress, bare YARP, nginx, in that order, and the baseline ingress when one ran.</param>
    public static void Print(IReadOnlyList<WrkResult> columns)
    {
        var (direct, ingress, yarp, nginx) = (columns[0], columns[1], columns[2], columns[3]);
        Console.WriteLine();
        Console.WriteLine($"{"target",-18} {"requests/s",12} {"p99 ms",9} {"CPU us/req",11} {"user us/req",12} {"errors",7}  load averages before each round");
        foreach (var r in columns)
        {
            var cpu = r.ProxyCpuPerRequest is { } us ? us.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "-";
            var user = r.ProxyUserPerRequest is { } u ? u.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "-";
            Console.WriteLine($"{r.Name,-18} {r.RequestsPerSecond,12:F0} {r.P99Milliseconds,9:F2} {cpu,11} {user,12} {r.Errors,7}  {r.LoadBefore} {r.ErrorDetail}");
        }

        Console.WriteLine();
        Ratio("ingress/direct", ingress, direct, 0.6);
        Ratio("ingress/nginx", ingress, nginx, 1.0);
        Ratio("nginx/direct", nginx, direct, null);
        Ratio("ingress/bare YARP", ingress, yarp, null);
        Ratio("bare YARP/direct", yarp, direct, null);
        Ratio("bare YARP/nginx", yarp, nginx, null);
        var p99 = ingress.P99Milliseconds / nginx.P99Milliseconds;
        Console.WriteLine($"{"p99 ingress/nginx",-18} = {p99:F2} (goal <= 1.50: {(p99 <= 1.5 ? "met" : "not met")})");
        Console.WriteLine($"{"p99 ingress/YARP",-18} = {ingress.P99Milliseconds / yarp.P99Milliseconds:F2}");
        if (ingress.ProxyCpuPerRequest is { } ours && nginx.ProxyCpuPerRequest is { } theirs && yarp.ProxyCpuPerRequest is { } bare)
        {
            // The figure other work on the machine skews least: what each request costs the proxy, not how much of
            // the cores it got.
            Console.WriteLine($"{"CPU/request ingress/nginx",-18} = {ours / theirs:F2}");
            Console.WriteLine($"{"CPU/request ingress/YARP",-18} = {ours / bare:F2}");
        }

        if (ingress.ProxyUserPerRequest is { } ourCode && nginx.ProxyUserPerRequest is { } theirCode)
        {
            // The kernel's part is the loopback sends and receives every proxy makes; the rest is the proxy's own.
            Console.WriteLine($"{"user CPU/request ingress/nginx",-18} = {ourCode / theirCode:F2}");
        }

        if (columns.Count > 4)
        {
            var baseline = columns[4];
            Ratio("ingress/baseline", ingress, baseline, null);
            Console.WriteLine($"{"p99 ingress/baseline",-18} = {ingress.P99Milliseconds / baseline.P99Milliseconds:F2}");
            if (ingress.ProxyCpuPerRequest is { } now && baseline.ProxyCpuPerRequest is { } before)
            {
                Console.WriteLine($"{"CPU/request ingress/baseline",-18} = {now / before:F2}");
            }
        }
    }

    private static double? MedianOf(IReadOnlyList<WrkResult> rounds, Func<WrkResult, double?> figure) =>
        rounds.All(r => figure(r) is not null) ? rounds.Select(r => figure(r)!.Value).Order().ElementAt(rounds.Count / 2) : null;

    private static void Ratio(string name, WrkResult a, WrkResult b, double? goal)
    {
        var ratio = a.RequestsPerSecond / b.RequestsPerSecond;
        var verdict = goal is { } g ? $" (goal >= {g:F2}: {(ratio >= g ? "met" : "not met")})" : "";
        Console.WriteLine($"{name,-18} = {ratio:F2}{verdict}");
    }
}
