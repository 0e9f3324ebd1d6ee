using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KubeMesh.CertificateController.Tests.Infrastructure;

/// <summary>
/// Stands where the cluster's ingress would: answers pebble's GET /.well-known/acme-challenge/TOKEN on the
/// validation port with the key authorization it was given, and 404 for anything else, counting the requests.
/// </summary>
public sealed class Http01Responder : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private Http01Responder(WebApplication app) => _app = app;

    public ConcurrentDictionary<string, string> KeyAuthorizations { get; } = new(StringComparer.Ordinal);

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<Http01Responder> StartAsync(int port, Func<string, string?>? fallback = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var responder = new Http01Responder(app);
        app.MapGet("/.well-known/acme-challenge/{token}", (string token) =>
        {
            Interlocked.Increment(ref responder._requests);
            return responder.KeyAuthorizations.TryGetValue(token, out var key) || (key = fallback?.Invoke(token)) is not null
                ? Results.Text(key)
                : Results.NotFound();
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
