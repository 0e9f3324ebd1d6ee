using System.Globalization;

namespace KubeMesh.Images;

/// <summary>
/// quay.io/jetstack/cert-manager-acmesolver: answers an ACME HTTP-01 challenge. GET
/// /.well-known/acme-challenge/TOKEN for Host DOMAIN returns the key authorization; / and /healthz answer 200 for
/// probes; anything else is 404, as the original logs and answers. Flags as the original: --listen-port=8089
/// (default), --domain, --token and --key.
/// </summary>
internal static class AcmeSolverImage
{
    public const string ChallengePath = "/.well-known/acme-challenge";

    public static async Task<int> RunAsync(string[] args)
    {
        var port = 8089;
        string domain = "", token = "", key = "";
        foreach (var arg in args)
        {
            var flag = arg.TrimStart('-');
            var equals = flag.IndexOf('=');
            var (name, value) = equals < 0 ? (flag, "") : (flag[..equals], flag[(equals + 1)..]);
            switch (name)
            {
                case "listen-port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536:
                    port = p;
                    break;
                case "domain": domain = value; break;
                case "token": token = value; break;
                case "key": key = value; break;
                default:
                    Console.Error.WriteLine($"Error: unknown flag: --{name}");
                    return 1;
            }
        }

        var endpoint = ListenEndpoint.Resolve(":" + port.ToString(CultureInfo.InvariantCulture));
        var app = ImageHost.Build(endpoint);
        app.Run(context => Answer(context, domain, token, key));
        await ContainerLog.Stdout.WriteLineAsync($"starting listener expected_domain={domain} expected_token={token} listen_port={port}");
        await app.RunAsync();
        return 0;
    }

    private static async Task Answer(HttpContext context, string domain, string token, string key)
    {
        var path = context.Request.Path.Value ?? "/";
        var host = context.Request.Host.Host.Trim('[', ']');
        var response = context.Response;
        if (path is "/" or "/healthz")
        {
            response.Headers.CacheControl = "no-cache, no-store, must-revalidate";
            return;
        }

        var slash = path.LastIndexOf('/');
        var (basePath, requested) = (path[..Math.Max(slash, 0)], path[(slash + 1)..]);
        string? refusal = basePath != ChallengePath ? $"invalid base_path {basePath}"
            : !string.Equals(host, domain, StringComparison.OrdinalIgnoreCase) ? $"invalid host {host}, expected {domain}"
            : requested != token ? $"invalid token {requested}"
            : null;
        await ContainerLog.Stdout.WriteLineAsync($"validating request host={host} path={path}: {refusal ?? "got successful challenge request, writing key"}");
        if (refusal is not null)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            await response.WriteAsync("404 page not found\n");
            return;
        }

        response.Headers.CacheControl = "no-cache, no-store, must-revalidate";
        await response.WriteAsync(key);
    }
}
