namespace KubeMesh.Images;

/// <summary>
/// hashicorp/http-echo: answers every request with the -text value and a newline, and logs each request on
/// stdout as the original does (<c>host remote [time] "GET /path HTTP/1.1" 200 16 "agent" 51.2µs</c>), so
/// <c>kmctl logs</c> shows the path a proxy forwarded. Flags as the original: -listen=:5678 (default) and
/// -text=... (required).
/// </summary>
internal static class HttpEchoImage
{
    public static async Task<int> RunAsync(string[] args)
    {
        var listen = ":5678";
        string? text = null;
        foreach (var arg in args)
        {
            var (name, value) = SplitFlag(arg);
            switch (name)
            {
                case "listen": listen = value; break;
                case "text": text = value; break;
                default:
                    Console.Error.WriteLine($"flag provided but not defined: -{name}");
                    return 2;
            }
        }

        if (text is null)
        {
            Console.Error.WriteLine("Missing -text option!");
            return 127;
        }

        var endpoint = ListenEndpoint.Resolve(listen);
        var app = ImageHost.Build(endpoint);
        var body = System.Text.Encoding.UTF8.GetBytes(text + "\n");
        app.Run(async context =>
        {
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.Headers["X-App-Name"] = "http-echo";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
            await ContainerLog.Stdout.WriteLineAsync(AccessLogLine(context, body.Length, System.Diagnostics.Stopwatch.GetElapsedTime(start)));
        });
        await ContainerLog.Stdout.WriteLineAsync($"[INFO] server is listening on {endpoint}");
        await app.RunAsync();
        return 0;
    }

    /// <summary>http-echo's httpLogFormat: <c>%v %v [%v] "%v %v %v" %v %v "%v" %v</c>, the path without its query.</summary>
    internal static string AccessLogLine(HttpContext context, int length, TimeSpan duration)
    {
        var request = context.Request;
        var remote = context.Connection.RemoteIpAddress is { } ip ? $"{ip}:{context.Connection.RemotePort}" : "";
        return $"{request.Host} {remote} [{DateTime.Now:yyyy/MM/dd HH:mm:ss}] \"{request.Method} {request.Path} {request.Protocol}\" " +
            $"{context.Response.StatusCode} {length} \"{request.Headers.UserAgent}\" {GoDuration(duration)}";
    }

    /// <summary>Go's time.Duration.String for durations under a minute: 850ns, 51.2µs, 1.234567ms, 2.5s.</summary>
    internal static string GoDuration(TimeSpan duration)
    {
        var nanoseconds = duration.Ticks * 100;
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        return nanoseconds switch
        {
            < 1_000 => nanoseconds.ToString(culture) + "ns",
            < 1_000_000 => (nanoseconds / 1e3).ToString("0.###", culture) + "µs",
            < 1_000_000_000 => (nanoseconds / 1e6).ToString("0.######", culture) + "ms",
            _ => (nanoseconds / 1e9).ToString("0.#########", culture) + "s",
        };
    }

    private static (string Name, string Value) SplitFlag(string arg)
    {
        var flag = arg.TrimStart('-');
        var equals = flag.IndexOf('=');
        return equals < 0 ? (flag, "") : (flag[..equals], flag[(equals + 1)..]);
    }
}
