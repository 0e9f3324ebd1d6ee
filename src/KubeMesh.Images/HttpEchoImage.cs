namespace KubeMesh.Images;

/// <summary>
/// hashicorp/http-echo: answers every request with the -text value and a newline.
/// Flags as the original: -listen=:5678 (default) and -text=... (required).
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
        var body = text + "\n";
        app.Run(context =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.Headers["X-App-Name"] = "http-echo";
            return context.Response.WriteAsync(body);
        });
        Console.WriteLine($"[INFO] server is listening on {endpoint}");
        await app.RunAsync();
        return 0;
    }

    private static (string Name, string Value) SplitFlag(string arg)
    {
        var flag = arg.TrimStart('-');
        var equals = flag.IndexOf('=');
        return equals < 0 ? (flag, "") : (flag[..equals], flag[(equals + 1)..]);
    }
}
