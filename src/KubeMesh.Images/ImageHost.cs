using System.Net;
using Microsoft.AspNetCore.Builder;

namespace KubeMesh.Images;

/// <summary>The Kestrel host both images share: one endpoint, console logging, SIGTERM stops it.</summary>
internal static class ImageHost
{
    public static WebApplication Build(IPEndPoint endpoint)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        return builder.Build();
    }
}
