namespace KubeMesh.Bench.IngressLoadTest;

internal static class Report
{
    public static void Print(IReadOnlyList<WrkResult> results, WrkResult ingress, WrkResult direct, WrkResult nginx)
    {
        Console.WriteLine();
        Console.WriteLine($"{"target",-18} {"requests/s",12} {"p99 ms",9} {"errors",7}");
        foreach (var r in results)
        {
            Console.WriteLine($"{r.Name,-18} {r.RequestsPerSecond,12:F0} {r.P99Milliseconds,9:F2} {r.Errors,7} {r.ErrorDetail}");
        }

        var vsDirect = ingress.RequestsPerSecond / direct.RequestsPerSecond;
        var vsNginx = ingress.RequestsPerSecond / nginx.RequestsPerSecond;
        Console.WriteLine();
        Console.WriteLine($"ingress/direct = {vsDirect:F2} (goal >= 0.60: {(vsDirect >= 0.6 ? "met" : "not met")})");
        Console.WriteLine($"ingress/nginx  = {vsNginx:F2} (goal >= 1.00: {(vsNginx >= 1 ? "met" : "not met")})");
        Console.WriteLine($"p99 ingress/nginx = {ingress.P99Milliseconds / nginx.P99Milliseconds:F2}");
    }
}
