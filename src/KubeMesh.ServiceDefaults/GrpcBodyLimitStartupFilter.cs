using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Leaves a gRPC request's size to gRPC: its message limit reads the 5-byte length prefix and answers
/// RESOURCE_EXHAUSTED before anything is buffered, where Kestrel's body limit, seeing a Content-Length over it (buf
/// curl sends one), failed the call as UNKNOWN. Other HTTP requests keep Kestrel's limit.
/// </summary>
internal sealed class GrpcBodyLimitStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true
                && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = null;
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}
