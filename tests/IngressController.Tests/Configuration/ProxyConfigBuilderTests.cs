using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Networking.V1;
using KubeMesh.IngressController.Configuration;
using Microsoft.Extensions.Options;
using ApiIngressRule = KubeMesh.Api.Networking.V1.IngressRule;

namespace KubeMesh.IngressController.Tests.Configuration;

/// <summary>
/// The builder keeps nothing between builds: what it reuses (parsed certificates, authenticators that remember
/// verified headers) comes only from the previous configuration it is handed, and only for an unchanged secret.
/// </summary>
public sealed class ProxyConfigBuilderTests
{
    private readonly ProxyConfigBuilder _builder = new(Options.Create(new IngressControllerOptions()));
    private readonly Dictionary<string, Secret> _secrets = new(StringComparer.Ordinal);

    [Fact]
    public void Build_UnchangedAuthSecret_CarriesTheAuthenticatorOver()
    {
        PutSecret("htpasswd", "1", ("auth", "user:{SHA}C+7Hteo/D9vJXQ3UfzxbwnXaijM="));
        var ingress = NewIngress("secured", tlsSecret: null, ("auth-type", "basic"), ("auth-secret", "htpasswd"), ("auth-realm", "r"));

        var first = _builder.Build(State(ingress), IngressConfiguration.Empty);
        var second = _builder.Build(State(ingress), first);
        var fromScratch = _builder.Build(State(ingress), IngressConfiguration.Empty);

        var authenticator = Assert.Single(first.Authenticators).Value;
        Assert.Same(authenticator, PolicyOf(second).Auth);
        Assert.NotSame(authenticator, PolicyOf(fromScratch).Auth);
        Assert.Contains("default/htpasswd", first.ReferencedObjects);
    }

    [Fact]
    public void Build_ChangedAuthSecret_MakesANewAuthenticatorAndRoute()
    {
        PutSecret("htpasswd", "1", ("auth", "user:{SHA}C+7Hteo/D9vJXQ3UfzxbwnXaijM="));
        var ingress = NewIngress("secured", tlsSecret: null, ("auth-type", "basic"), ("auth-secret", "htpasswd"));
        var first = _builder.Build(State(ingress), IngressConfiguration.Empty);

        PutSecret("htpasswd", "2", ("auth", "other:{SHA}C+7Hteo/D9vJXQ3UfzxbwnXaijM="));
        var second = _builder.Build(State(ingress), first);

        Assert.NotSame(PolicyOf(first).Auth, PolicyOf(second).Auth);
        Assert.NotEqual(first.Routes[0].Metadata, second.Routes[0].Metadata);
        Assert.Single(second.Authenticators);
    }

    [Fact]
    public void Build_MissingAuthSecret_DeniesAllAndWarns()
    {
        var ingress = NewIngress("secured", tlsSecret: null, ("auth-type", "basic"), ("auth-secret", "absent"));

        var configuration = _builder.Build(State(ingress), IngressConfiguration.Empty);

        Assert.NotNull(PolicyOf(configuration).Auth);
        Assert.Contains(configuration.Warnings, w => w.Contains("auth-secret default/absent: missing", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_UnchangedTlsSecret_ReusesTheParsedCertificate()
    {
        var (crt, key) = SelfSigned("CN=tls.example.com");
        PutSecret("tls", "1", ("tls.crt", crt), ("tls.key", key));
        var ingress = NewIngress("tls", tlsSecret: "tls");

        var first = _builder.Build(State(ingress), IngressConfiguration.Empty);
        var second = _builder.Build(State(ingress), first);
        PutSecret("tls", "2", ("tls.crt", crt), ("tls.key", key));
        var renewed = _builder.Build(State(ingress), second);

        var certificate = first.Certificates.Find("tls.example.com");
        Assert.Equal("CN=tls.example.com", certificate?.Subject);
        Assert.Same(certificate, second.Certificates.Find("tls.example.com"));
        Assert.NotSame(certificate, renewed.Certificates.Find("tls.example.com"));
        Assert.True(PolicyOf(first).SslRedirect);
    }

    [Fact]
    public void Build_InvalidTlsSecret_WarnsWithTheReasonOnEveryBuild()
    {
        PutSecret("tls", "1", ("tls.crt", "not a certificate"), ("tls.key", "not a key"));
        var ingress = NewIngress("tls", tlsSecret: "tls");

        var first = _builder.Build(State(ingress), IngressConfiguration.Empty);
        var second = _builder.Build(State(ingress), first);

        Assert.Null(first.Certificates.Find("tls.example.com"));
        var warning = Assert.Single(first.Warnings);
        Assert.StartsWith("default/tls: tls secret default/tls: ", warning, StringComparison.Ordinal);
        Assert.Equal(first.Warnings, second.Warnings);
    }

    [Fact]
    public void Build_SecretNoLongerReferenced_IsNotHandedOn()
    {
        var (crt, key) = SelfSigned("CN=tls.example.com");
        PutSecret("tls", "1", ("tls.crt", crt), ("tls.key", key));
        var first = _builder.Build(State(NewIngress("tls", tlsSecret: "tls")), IngressConfiguration.Empty);

        var second = _builder.Build(State(NewIngress("tls", tlsSecret: null)), first);

        Assert.Single(first.TlsSecrets);
        Assert.Empty(second.TlsSecrets);
        Assert.Empty(second.Certificates.Hosts);
    }

    private static Routing.IngressRoutePolicy PolicyOf(IngressConfiguration configuration) =>
        configuration.Policies[configuration.Routes.Single(r => !r.RouteId!.StartsWith("fallback/", StringComparison.Ordinal)).Metadata![IngressRoutes.PolicyMetadataKey]];

    private IngressState State(Ingress ingress) => new(
        [ingress],
        (ns, name) => ns == "default" && name == "web" ? new Service { Metadata = new ObjectMeta { Name = "web", Namespace = "default" }, Spec = new ServiceSpec { Ports = { new ServicePort { Port = 80 } } } } : null,
        (_, _) => null,
        (ns, name) => _secrets.GetValueOrDefault(ns + "/" + name),
        null);

    private void PutSecret(string name, string resourceVersion, params (string Key, string Value)[] data)
    {
        var secret = new Secret { Metadata = new ObjectMeta { Name = name, Namespace = "default", Uid = "uid-" + name, ResourceVersion = resourceVersion } };
        foreach (var (k, v) in data)
        {
            secret.Data[k] = ByteString.CopyFromUtf8(v);
        }

        _secrets["default/" + name] = secret;
    }

    private static Ingress NewIngress(string name, string? tlsSecret, params (string Name, string Value)[] annotations)
    {
        var ingress = new Ingress
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default" },
            Spec = new IngressSpec
            {
                Rules =
                {
                    new ApiIngressRule
                    {
                        Host = "tls.example.com",
                        Http = new HTTPIngressRuleValue
                        {
                            Paths =
                            {
                                new HTTPIngressPath
                                {
                                    Path = "/",
                                    PathType = "Prefix",
                                    Backend = new IngressBackend { Service = new IngressServiceBackend { Name = "web", Port = new ServiceBackendPort { Number = 80 } } },
                                },
                            },
                        },
                    },
                },
            },
        };
        foreach (var (key, value) in annotations)
        {
            ingress.Metadata.Annotations["nginx.ingress.kubernetes.io/" + key] = value;
        }

        if (tlsSecret is not null)
        {
            ingress.Spec.Tls.Add(new IngressTLS { Hosts = { "tls.example.com" }, SecretName = tlsSecret });
        }

        return ingress;
    }

    private static (string Crt, string Key) SelfSigned(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        return (certificate.ExportCertificatePem(), rsa.ExportPkcs8PrivateKeyPem());
    }
}
