using KubeMesh.CertificateController.Acme;
using KubeMesh.CertificateController.Controllers;
using KubeMesh.CertificateController.Controllers.CertificateRequests;
using KubeMesh.CertificateController.Controllers.Certificates;
using KubeMesh.CertificateController.Controllers.Challenges;
using KubeMesh.CertificateController.Controllers.IngressShim;
using KubeMesh.CertificateController.Controllers.Orders;
using KubeMesh.CertificateController.Controllers.Issuers;
using KubeMesh.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KubeMesh.CertificateController.Extensions;

public static class CertificateControllerExtensions
{
    /// <summary>
    /// cert-manager's controller as one process: the shared client and informers, and the issuers, certificates,
    /// certificate requests, ACME orders and challenges, and ingress-shim controllers.
    /// </summary>
    public static IHostApplicationBuilder AddCertificateController(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<CertificateControllerOptions>(builder.Configuration.GetSection(CertificateControllerOptions.Section));
        services.AddKubeMeshClient(builder.Configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ControllerContext>();
        services.AddSingleton<AcmeClientRegistry>();
        services.AddSingleton<IssuerResolver>();
        services.AddSingleton<IssuerSetup>();
        services.AddSingleton<AcmeAccounts>();
        services.AddHostedService<ClusterResourceNamespace>();
        services.AddHostedService<IssuersController>();
        services.AddHostedService<ClusterIssuersController>();
        services.AddHostedService<CertificatesController>();
        services.AddHostedService<CertificateRequestsController>();
        services.AddHostedService<OrdersController>();
        services.AddHostedService<ChallengesController>();
        services.AddHostedService<IngressShimController>();
        return builder;
    }
}
