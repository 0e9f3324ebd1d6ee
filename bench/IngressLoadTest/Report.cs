namespace KubeMesh.Bench.IngressLoadTest;

internal static class Report
{
    public static void Print(WrkResult direct, WrkResult ingress, WrkResult yarp, WrkResult nginx)
    {
        Console.WriteLine();
        Console.WriteLine($"{"target",-18} {"requests/s",12} {"p99 ms",9} {"errors",7}  {"load avg before",-16}");
        foreach (var r in new[] { direct, ingress, yarp, nginx })
        {
            Console.WriteLine($"{r.Name,-18} {r.RequestsPerSecond,12:F0} {r.P99Milliseconds,9:F2} {r.Errors,7}  {r.LoadBefore,-16} {r.ErrorDetail}");
        }

        Console.WriteLine();
        Ratio("ingress/direct", ingress, direct, 0.6);
        Ratio("ingress/nginx", ingress, nginx, 1.0);
        Ratio("ingress/bare YARP", ingress, yarp, null);
        Ratio("bare YARP/direct", yarp, direct, null);
        Ratio("bare YARP/nginx", yarp, nginx, null);
        Console.WriteLine($"{"p99 ingress/nginx",-18} = {ingress.P99Milliseconds / nginx.P99Milliseconds:F2}");
        Console.WriteLine($"{"p99 ingress/YARP",-18} = {ingress.P99Milliseconds / yarp.P99Milliseconds:F2}");
    }

    private static void Ratio(string name, WrkResult a, WrkResult b, double? goal)
    {
        var ratio = a.RequestsPerSecond / b.RequestsPerSecond;
        var verdict = goal is { } g ? $" (goal >= {g:F2}: {(ratio >= g ? "met" : "not met")})" : "";
        Console.WriteLine($"{name,-18} = {ratio:F2}{verdict}");
    }
}
