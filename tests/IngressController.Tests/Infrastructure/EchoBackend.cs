using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.IngressController.Tests.Infrastructure;

/// <summary>
/// A pod stand-in like hashicorp/http-echo: answers with its name, then the path it received and the forwarded
/// headers, one per line, after an optional delay (a slow pod). Each listens on a pod address of its own.
/// </summary>
public sealed class EchoBackend : IAsyncDisposable
{
    private static int _nextAddress = 10;
    private readonly KestrelBackend _pod;

    private EchoBackend(KestrelBackend pod, string name)
    {
        _pod = pod;
        Name = name;
    }

    public string Name { get; }

    public string Ip => _pod.Ip;

    public int Port => _pod.Port;

    public int Requests => _pod.Requests;

    public static async Task<EchoBackend> StartAsync(string name, TimeSpan delay = default)
    {
        var address = IPAddress.Parse("127.0.0." + (Interlocked.Increment(ref _nextAddress) % 200 + 20));
        var pod = await KestrelBackend.StartAsync(
            async context =>
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay);
                }

                var request = context.Request;
                var text = new StringBuilder()
                    .Append(name).Append('\n')
                    .Append("path=").Append(request.Path).Append(request.QueryString).Append('\n')
                    .Append("host=").Append(request.Host).Append('\n');
                foreach (var header in new[] { "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "X-Real-IP" })
                {
                    text.Append(header.ToLowerInvariant()).Append('=').Append(request.Headers[header].ToString()).Append('\n');
                }

                await context.Response.WriteAsync(text.ToString());
            },
            address: address);
        return new EchoBackend(pod, name);
    }

    public ValueTask DisposeAsync() => _pod.DisposeAsync();
}
