using System.Net;
using KubeMesh.Hosting;
using Microsoft.AspNetCore.Builder;

namespace KubeMesh.Images;

/// <summary>The Kestrel host the images share: one endpoint, console logging, SIGTERM stops it.</summary>
internal static class ImageHost
{
    public static WebApplication Build(IPEndPoint endpoint)
    {
        // The content root must not be the container's working directory: that is often "/", and the
        // configuration file watcher would then walk the whole root filesystem before serving anything.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });

        // An image takes nothing from configuration files or the environment: an appsettings.json beside
        // the assembly (another component's, when they share a directory) must not add Kestrel endpoints.
        builder.Configuration.Sources.Clear();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint));
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = InlineSocketCompletions.Enabled);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        return builder.Build();
    }
}
