using System.Net;
using Microsoft.AspNetCore.Builder;

namespace KubeMesh.Images;

/// <summary>The Kestrel host the images share: one endpoint, console logging, SIGTERM stops it.</summary>
internal static class ImageHost
{
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Called first in Main, before any socket exists (the runtime reads the switch once, from the environment): a
    /// pod's socket completions and Kestrel's request processing run on the socket engine's threads, one per core,
    /// instead of being handed to thread-pool workers twice per request. A pod is the far end of every load test on
    /// a machine whose few cores it shares with the proxy in front of it; handed off, each request woke an idle
    /// worker that spun before sleeping again, and behind the ingress controller the four http-echo pods of
    /// bench/IngressLoadTest spent most of their CPU in context switches and sched_yield. Nothing on an image's
    /// request path blocks: its log lines go through <see cref="ContainerLog"/>. A value set from outside is kept.
    /// </summary>
    public static void PreferInlineCompletions()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(InlineCompletionsVariable)))
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }
    }

    public static WebApplication Build(IPEndPoint endpoint)
    {
        // The content root must not be the container's working directory: that is often "/", and the
        // configuration file watcher would then walk the whole root filesystem before serving anything.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });

        // An image takes nothing from configuration files or the environment: an appsettings.json beside
        // the assembly (another component's, when they share a directory) must not add Kestrel endpoints.
        builder.Configuration.Sources.Clear();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint));
        var inline = Environment.GetEnvironmentVariable(InlineCompletionsVariable) == "1";
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = inline);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        return builder.Build();
    }
}
