using Microsoft.AspNetCore.StaticFiles;

namespace KubeMesh.Images;

/// <summary>
/// nginx: a static web server for /usr/share/nginx/html as this container sees it (its own mount
/// namespace, so a volume mounted there is what gets served). Without an index.html it serves
/// nginx's default welcome page, as the stock image does. Listens on port 80 (NGINX_PORT overrides).
/// Arguments such as <c>-g "daemon off;"</c> are accepted and ignored.
/// </summary>
internal static class NginxImage
{
    public const string Root = "/usr/share/nginx/html";

    public static async Task<int> RunAsync(string[] args)
    {
        _ = args;
        var port = Environment.GetEnvironmentVariable("NGINX_PORT") ?? "80";
        var endpoint = ListenEndpoint.Resolve(":" + port);
        var app = ImageHost.Build(endpoint);

        app.Use(async (context, next) =>
        {
            await next(context);
            await ContainerLog.Stdout.WriteLineAsync($"{context.Connection.RemoteIpAddress} - - [{DateTimeOffset.Now:dd/MMM/yyyy:HH:mm:ss zzz}] " +
                $"\"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} {context.Request.Protocol}\" {context.Response.StatusCode}");
        });
        app.Run(context => ServeAsync(context));
        await ContainerLog.Stdout.WriteLineAsync($"nginx: listening on {endpoint}, serving {Root}");
        await app.RunAsync();
        return 0;
    }

    private static async Task ServeAsync(HttpContext context)
    {
        context.Response.Headers.Server = "nginx/1.14.2";
        var relative = Uri.UnescapeDataString(context.Request.Path.Value ?? "/").TrimStart('/');
        var full = Path.GetFullPath(Path.Combine(Root, relative));
        if (!full.StartsWith(Root, StringComparison.Ordinal))
        {
            await NotFoundAsync(context);
            return;
        }

        var index = Path.Combine(full, "index.html");
        if (File.Exists(index))
        {
            await SendFileAsync(context, index);
        }
        else if (full.TrimEnd('/') == Root)
        {
            // The stock image ships this page as its index.html; an empty or missing root shows it too.
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync(WelcomePage.Html);
        }
        else if (Directory.Exists(full))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync(ErrorPage(403, "Forbidden"));
        }
        else if (File.Exists(full))
        {
            await SendFileAsync(context, full);
        }
        else
        {
            await NotFoundAsync(context);
        }
    }

    private static Task SendFileAsync(HttpContext context, string path)
    {
        var provider = new FileExtensionContentTypeProvider();
        context.Response.ContentType = provider.TryGetContentType(path, out var type) ? type : "application/octet-stream";
        return context.Response.SendFileAsync(path);
    }

    private static Task NotFoundAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "text/html";
        return context.Response.WriteAsync(ErrorPage(404, "Not Found"));
    }

    private static string ErrorPage(int code, string text) =>
        $"<html>\r\n<head><title>{code} {text}</title></head>\r\n<body bgcolor=\"white\">\r\n" +
        $"<center><h1>{code} {text}</h1></center>\r\n<hr><center>nginx/1.14.2</center>\r\n</body>\r\n</html>\r\n";
}
