using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KubeMesh.CertificateController.Tests.Infrastructure;

/// <summary>
/// Stands where the cluster's ingress and solver pods would: answers GET /.well-known/acme-challenge/TOKEN on the
/// validation port with a key authorization, from its own table or from <c>answer</c>, and 404 otherwise. The answer
/// is told whether pebble's validator asks (its User-Agent names it) or someone else, such as the self check.
/// </summary>
public sealed class Http01Responder : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private Http01Responder(WebApplication app) => _app = app;

    public ConcurrentDictionary<string, string> KeyAuthorizations { get; } = new(StringComparer.Ordinal);

    /// <summary>Requests pebble's validator made.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public static async Task<Http01Responder> StartAsync(int port, Func<string, bool, Task<string?>>? answer = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // The test output directory holds the controller's appsettings.json, whose Kestrel endpoint (its health port)
        // this server would otherwise bind too: two responders, or a controller running beside the tests, would clash.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var responder = new Http01Responder(app);
        app.MapGet("/.well-known/acme-challenge/{token}", async (string token, HttpRequest request) =>
        {
            var fromPebble = request.Headers.UserAgent.ToString().Contains("Pebble", StringComparison.OrdinalIgnoreCase);
            if (fromPebble)
            {
                Interlocked.Increment(ref responder._requests);
            }

            var key = responder.KeyAuthorizations.TryGetValue(token, out var known) ? known
                : answer is null ? null
                : await answer(token, fromPebble);
            return key is null ? Results.NotFound() : Results.Text(key);
        });
        await app.StartAsync();
        return responder;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
