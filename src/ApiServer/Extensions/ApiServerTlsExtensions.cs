using KubeMesh.Api.Security;
using KubeMesh.ApiServer.Services;
using KubeMesh.ServiceDefaults.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace KubeMesh.ApiServer.Extensions;

public static class ApiServerTlsExtensions
{
    public const string Section = "ApiServer:Tls";

    /// <summary>
    /// With ApiServer:Tls:CertFile set, every https endpoint (Kestrel:Endpoints:Grpc and :Rest with https URLs) serves
    /// that certificate, and asks for a client certificate verified against ApiServer:Tls:ClientCaFile; a connection
    /// without one is still let in, for bearer tokens and anonymous requests, as kube-apiserver does. With
    /// ApiServer:KubeletClient set, calls to kubelets go over TLS with the api-server's client certificate.
    /// </summary>
    public static WebApplicationBuilder AddApiServerTls(this WebApplicationBuilder builder)
    {
        var tls = builder.Configuration.ServingTls(Section);
        if (tls.Enabled)
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.UseServingTls(tls, ClientCertificateMode.AllowCertificate)));
        }

        var kubelet = builder.Configuration.GetSection(KubeletClientOptions.Section).Get<KubeletClientOptions>() ?? new KubeletClientOptions();
        if (!string.IsNullOrWhiteSpace(kubelet.CertFile) && (string.IsNullOrWhiteSpace(kubelet.KeyFile) || string.IsNullOrWhiteSpace(kubelet.CaFile)))
        {
            throw new InvalidOperationException($"{KubeletClientOptions.Section}:KeyFile and :CaFile: required when {KubeletClientOptions.Section}:CertFile is set");
        }

        builder.Services.AddSingleton(kubelet);
        return builder;
    }
}
