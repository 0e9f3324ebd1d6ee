using Grpc.AspNetCore.Server;
using KubeMesh.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>What every KubeMesh gRPC server shares: the request and response limits of <see cref="ApiLimits"/>.</summary>
public static class GrpcServerExtensions
{
    /// <summary>
    /// AddGrpc with the limits set explicitly: messages in and out (a gzip message counts once inflated, which
    /// grpc-dotnet checks as it inflates), status messages, and Kestrel's request body and headers for whatever
    /// else the process serves over HTTP.
    /// </summary>
    public static IGrpcServerBuilder AddGrpcServer(this WebApplicationBuilder builder, Action<GrpcServiceOptions>? configure = null)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = ApiLimits.MaxRequestBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = ApiLimits.MaxRequestHeadersBytes;
        });
        builder.Services.AddTransient<IStartupFilter, GrpcBodyLimitStartupFilter>();
        return builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = ApiLimits.MaxRequestBytes;
            options.MaxSendMessageSize = ApiLimits.MaxResponseBytes;
            options.Interceptors.Add<StatusDetailLimitInterceptor>();
            configure?.Invoke(options);
        });
    }
}
