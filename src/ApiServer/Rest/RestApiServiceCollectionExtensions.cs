using KubeMesh.ApiServer.Rest.Discovery;
using KubeMesh.ApiServer.Rest.Handlers;
using KubeMesh.ApiServer.Rest.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KubeMesh.ApiServer.Rest;

/// <summary>
/// The Kubernetes REST API (what kubectl and client libraries speak) on the Kestrel endpoint named "Rest"
/// (Kestrel:Endpoints:Rest:Url), a translation layer over the same registry, store and validation as the gRPC API.
/// </summary>
public static class RestApiServiceCollectionExtensions
{
    public const string EndpointUrlKey = "Kestrel:Endpoints:Rest:Url";

    public static IServiceCollection AddRestApi(this IServiceCollection services)
    {
        services.AddSingleton<ServedResources>();
        services.AddSingleton<DiscoveryDocuments>();
        services.AddSingleton<OpenApiDocuments>();
        services.AddSingleton<ObjectReads>();
        services.AddSingleton<ObjectWrites>();
        services.AddSingleton<WatchHandler>();
        services.AddSingleton<PatchHandler>();
        services.AddSingleton<ScaleHandler>();
        services.AddSingleton<PodLogHandler>();
        services.AddSingleton<PodExecHandler>();
        services.AddSingleton<PodBindingHandler>();
        services.AddSingleton<TokenRequestHandler>();
        services.AddSingleton<SelfReviewHandler>();
        services.AddSingleton<RestRouter>();
        services.AddSingleton<RestApiHandler>();
        services.AddSingleton<MetricsScrape>();
        return services;
    }

    /// <summary>Serves every request that arrives on the Rest endpoint's port; without a Rest endpoint there is no REST API.</summary>
    public static WebApplication MapRestApi(this WebApplication app)
    {
        if (Port(app.Configuration) is not { } port)
        {
            return app;
        }

        app.Services.GetRequiredService<MetricsScrape>().Build(app);
        app.MapWhen(context => context.Connection.LocalPort == port, rest =>
        {
            rest.UseWebSockets();
            rest.Run(context => context.RequestServices.GetRequiredService<RestApiHandler>().HandleAsync(context));
        });
        return app;
    }

    public static int? Port(IConfiguration configuration) => Endpoint(configuration)?.Port;

    /// <summary>The REST endpoint's URL (a wildcard host read as localhost), or null when there is none.</summary>
    public static Uri? Endpoint(IConfiguration configuration) =>
        configuration[EndpointUrlKey] is { Length: > 0 } url
            ? Uri.TryCreate(url.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) && uri.Port > 0
                ? uri
                : throw new InvalidOperationException($"{EndpointUrlKey}: Invalid value: \"{url}\": must be an http URL with a port, such as http://127.0.0.1:8443")
            : null;
}
