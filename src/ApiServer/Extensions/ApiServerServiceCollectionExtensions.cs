using KubeMesh.ApiServer.ControlPlane;
using Grpc.AspNetCore.Server.Model;
using Grpc.Health.V1;
using Grpc.Reflection;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Authentication;
using KubeMesh.ApiServer.Authentication.ServiceAccounts;
using KubeMesh.ApiServer.Authorization;
using KubeMesh.ApiServer.Limits;
using KubeMesh.ApiServer.Metrics;
using KubeMesh.ApiServer.Registry;
using KubeMesh.ApiServer.Registry.Allocation;
using KubeMesh.ApiServer.Registry.Deletion;
using KubeMesh.ApiServer.Registry.Strategies;
using KubeMesh.ApiServer.Rest;
using KubeMesh.ApiServer.Services;
using KubeMesh.ApiServer.Storage;
using KubeMesh.ApiServer.Validation;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.Extensions;

public static class ApiServerServiceCollectionExtensions
{
    /// <summary>The store connection: Aspire's ConnectionStrings:store when the AppHost runs us, else Store:ConnectionString.</summary>
    public static string StoreConnectionString(this IConfiguration configuration) =>
        configuration.GetConnectionString("store") ?? configuration[$"{StoreOptions.Section}:ConnectionString"] ?? new StoreOptions().ConnectionString;

    public static WebApplicationBuilder AddApiServer(this WebApplicationBuilder builder)
    {
        builder.AddApiServerSecurity();
        var services = builder.Services;
        services.Configure<StoreOptions>(builder.Configuration.GetSection(StoreOptions.Section));
        var connection = ConfigurationOptions.Parse(builder.Configuration.StoreConnectionString());
        connection.AbortOnConnectFail = false;
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(connection));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new StoreMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(sp => new ApiServerMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<ObjectStore>();
        services.AddSingleton<WatchHub>();
        services.Configure<ServiceAllocationOptions>(builder.Configuration.GetSection(ServiceAllocationOptions.Section));
        services.Configure<MaxInFlightOptions>(builder.Configuration.GetSection(MaxInFlightOptions.Section));
        services.TryAddSingleton<MaxInFlightLimit>();
        services.AddSingleton<ServiceAllocators>();
        services.AddSingleton<ResourceStrategies>();
        services.AddSingleton<NamespaceCache>();
        services.AddHostedService(sp => sp.GetRequiredService<NamespaceCache>());
        services.AddAuth(builder.Configuration);
        services.AddSingleton<RegistryStore>();
        services.AddSingleton<ResourceRegistry>();
        services.AddSingleton<ResourceDeleter>();
        services.AddSingleton<ManifestApplier>();
        services.AddSingleton<WatchStreamer>();
        services.AddSingleton<KubeletProxy>();
        services.AddSingleton<PodSubresourceApi>();
        services.AddSingleton<ServiceAccountTokenApi>();
        services.AddSingleton<ServiceAccountAdmission>();
        services.AddSingleton<ResourceApi>();
        services.AddRestApi();
        services.AddHostedService<NamespaceBootstrapper>();
        services.AddHostedService<ServiceRangeRepair>();
        services.Configure<KubernetesServiceOptions>(builder.Configuration.GetSection(KubernetesServiceOptions.Section));
        services.AddSingleton<KubernetesServiceReconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<KubernetesServiceReconciler>());

        // kube-apiserver's /metrics, in Prometheus' text format, beside the OTLP export to the dashboard.
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(ApiServerMetrics.MeterName).AddPrometheusExporter());
        builder.AddGrpcServer(o =>
        {
            // Outermost, so the request metrics see the status the client receives.
            o.Interceptors.Add<RequestMetricsInterceptor>();
            var metrics = o.Interceptors[^1];
            o.Interceptors.RemoveAt(o.Interceptors.Count - 1);
            o.Interceptors.Insert(0, metrics);
            o.Interceptors.Add<StoreErrorInterceptor>();
            o.Interceptors.Add<AuthorizationInterceptor>();
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<ResourceApi>, ResourceApiMethodProvider>());
        services.AddGrpcHealthChecks().AddCheck<StoreHealthCheck>("store");

        // Reflection lists the per-kind services too, although they are bound without generated base classes.
        var descriptors = ServedServices().ToArray();
        services.AddSingleton(new ReflectionServiceImpl(descriptors));
        services.AddSingleton(new ReflectionV1ServiceImpl(descriptors));
        return builder;
    }

    public static WebApplication MapApiServer(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint();
        app.MapGrpcService<ResourceApi>();
        app.MapGrpcService<ManifestApi>();
        app.MapGrpcService<DiscoveryApi>();
        app.MapGrpcService<AuthApi>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcService<ReflectionServiceImpl>();
        app.MapGrpcService<ReflectionV1ServiceImpl>();
        app.MapRestApi();
        return app;
    }

    /// <summary>
    /// Authentication (Authentication:TokenAuthFile, ClientCAFile, Anonymous), authorization (Authorization:Mode)
    /// and the admission steps that depend on the user; the caches the authorizers read start before anything serves.
    /// </summary>
    private static void AddAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AuthenticationOptions>(configuration.GetSection(AuthenticationOptions.Section));
        // One CA, as kube-apiserver's --client-ca-file: the one the TLS handshake asks client certificates against
        // names their users too, unless Authentication:ClientCAFile says otherwise.
        services.PostConfigure<AuthenticationOptions>(o =>
            o.ClientCAFile ??= configuration[$"{ApiServerSecurityExtensions.TlsSection}:ClientCaFile"] is { Length: > 0 } ca ? ca : null);
        services.Configure<AuthorizationOptions>(configuration.GetSection(AuthorizationOptions.Section));
        services.AddSingleton<RequestAuthenticator>();
        services.AddSingleton<AuthorizationCaches>();
        services.AddSingleton<IStoredObserver>(sp => sp.GetRequiredService<AuthorizationCaches>());
        services.AddSingleton<RbacAuthorizer>();
        services.AddSingleton<NodeAuthorizer>();
        services.AddSingleton<RequestAuthorizer>();
        services.AddSingleton<Admission>();
        services.AddSingleton<RequestGate>();
        services.AddSingleton<IRequestFilter, AuthorizationFilter>();
        services.AddSingleton<AuthorizationInterceptor>();
        var signingKey = services.AddServiceAccountTokens(configuration);
        var mode = new AuthorizationOptions { Mode = configuration[$"{AuthorizationOptions.Section}:Mode"] ?? new AuthorizationOptions().Mode };
        if (signingKey || mode.ParsedModes().Any(m => m is "RBAC" or "Node"))
        {
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<AuthorizationCaches>());
        }

        services.AddHostedService<PolicyBootstrapper>();
    }

    /// <summary>
    /// With Authentication:ServiceAccountSigningKeyFile, the api-server signs TokenRequests and accepts the tokens it
    /// signed (kube-apiserver's --service-account-signing-key-file, --service-account-issuer, --api-audiences).
    /// </summary>
    private static bool AddServiceAccountTokens(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(AuthenticationOptions.Section).Get<AuthenticationOptions>() ?? new AuthenticationOptions();
        if (string.IsNullOrWhiteSpace(options.ServiceAccountSigningKeyFile))
        {
            return false;
        }

        var audiences = options.ApiAudiences.Count > 0 ? options.ApiAudiences : [options.ServiceAccountIssuer];
        services.AddSingleton(_ => ServiceAccountSigningKey.Open(options.ServiceAccountSigningKeyFile));
        var verifiers = options.ServiceAccountKeyFiles.Where(f => !string.IsNullOrWhiteSpace(f)).Select(ServiceAccountSigningKey.OpenVerificationKey).ToList();
        services.AddSingleton(sp => new ServiceAccountTokens(sp.GetRequiredService<ServiceAccountSigningKey>(), options.ServiceAccountIssuer, audiences, sp.GetRequiredService<TimeProvider>(), verifiers));
        services.AddSingleton<ServiceAccountAuthenticator>();
        return true;
    }

    private static IEnumerable<Google.Protobuf.Reflection.ServiceDescriptor> ServedServices() =>
        ResourceKinds.All.Select(k => k.Service).Distinct()
            .Append(ManifestService.Descriptor)
            .Append(DiscoveryService.Descriptor)
            .Append(AuthService.Descriptor)
            .Append(Health.Descriptor);
}
