namespace KubeMesh.CertificateController.Extensions;

public static class CertificateControllerExtensions
{
    public static IHostApplicationBuilder AddCertificateController(this IHostApplicationBuilder builder) => builder;
}
