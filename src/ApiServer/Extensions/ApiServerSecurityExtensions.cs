using KubeMesh.Api.Security;
using KubeMesh.ApiServer.Services;
using KubeMesh.ApiServer.Storage.Encryption;
using KubeMesh.ServiceDefaults.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace KubeMesh.ApiServer.Extensions;

public static class ApiServerSecurityExtensions
{
    public const string TlsSection = "ApiServer:Tls";

    /// <summary>
    /// With ApiServer:Tls:CertFile set, every https endpoint (Kestrel:Endpoints:Grpc and :Rest with https URLs) serves
    /// that certificate, and asks for a client certificate verified against ApiServer:Tls:ClientCaFile; a connection
    /// without one is still let in, for bearer tokens and anonymous requests, as kube-apiserver does. With
    /// ApiServer:KubeletClient set, calls to kubelets go over TLS with the api-server's client certificate. With
    /// ApiServer:EncryptionProviderConfig, the resources it names are encrypted in the store.
    /// </summary>
    public static WebApplicationBuilder AddApiServerSecurity(this WebApplicationBuilder builder)
    {
        var tls = builder.Configuration.ServingTls(TlsSection);
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

        // kube-apiserver's --encryption-provider-config.
        var encryption = builder.Configuration["ApiServer:EncryptionProviderConfig"];
        builder.Services.AddSingleton(string.IsNullOrWhiteSpace(encryption) ? StorageTransformers.Identity : EncryptionConfiguration.Load(encryption));
        return builder;
    }
}
