using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using KubeMesh.Api.CertManager.Meta.V1;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Client;

namespace KubeMesh.CertificateController.Tests.Infrastructure;

/// <summary>The objects the tests make and the waits they share, read through the api-server.</summary>
internal static class CertManagerObjects
{
    public static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(60);

    public static Issuer SelfSignedIssuer(string ns, string name) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Spec = new IssuerSpec { SelfSigned = new SelfSignedIssuer() },
    };

    public static Issuer CaIssuer(string ns, string name, string secretName) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Spec = new IssuerSpec { Ca = new CAIssuer { SecretName = secretName } },
    };

    public static Certificate Certificate(string ns, string name, string issuer, params string[] dnsNames)
    {
        var certificate = new Certificate
        {
            Metadata = new ObjectMeta { Name = name, Namespace = ns },
            Spec = new CertificateSpec { SecretName = name + "-tls", IssuerRef = new IssuerReference { Name = issuer } },
        };
        certificate.Spec.DnsNames.Add(dnsNames);
        return certificate;
    }

    public static Secret TlsSecret(string ns, string name, X509Certificate2 certificate, string keyPem)
    {
        var secret = new Secret { Metadata = new ObjectMeta { Name = name, Namespace = ns }, Type = "kubernetes.io/tls" };
        secret.Data["tls.crt"] = ByteString.CopyFromUtf8(certificate.ExportCertificatePem());
        secret.Data["tls.key"] = ByteString.CopyFromUtf8(keyPem);
        return secret;
    }

    public static async Task<T> WaitForAsync<T>(KubeMeshClient client, string ns, string name, Func<T, bool> condition, string what, TimeSpan? timeout = null)
        where T : class, IMessage<T>, new()
    {
        T? last = null;
        return await Eventually.Returns(async () =>
        {
            last = await client.For<T>().GetAsync(ns, name);
            return condition(last) ? last : throw new InvalidOperationException($"not yet {what}");
        }, timeout ?? WaitTimeout, () => $"{typeof(T).Name} {ns}/{name} not {what} within {(timeout ?? WaitTimeout).TotalSeconds} s; last:\n{last}");
    }

    public static bool HasCondition<T>(IEnumerable<T> conditions, string type, string status, string? reason = null)
        where T : ICertManagerCondition =>
        conditions.Any(c => c.Type == type && c.Status == status && (reason is null || c.Reason == reason));

    public static async Task<IReadOnlyList<Event>> EventsAsync(KubeMeshClient client, string ns, string kind, string name)
    {
        var events = await client.For<Event>().ListAsync(new ListRequest { Namespace = ns });
        return events.Items.Where(e => e.InvolvedObject?.Kind == kind && e.InvolvedObject.Name == name).ToList();
    }

    public static Task<IReadOnlyList<Event>> WaitForEventAsync(KubeMeshClient client, string ns, string kind, string name, string reason) =>
        Eventually.Returns(async () =>
        {
            var events = await EventsAsync(client, ns, kind, name);
            return events.Any(e => e.Reason == reason) ? events : throw new InvalidOperationException("no event yet");
        }, WaitTimeout, () => $"no {reason} event for {kind} {ns}/{name}");

    public static X509Certificate2Collection Chain(Secret secret)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(secret.Data["tls.crt"].ToStringUtf8());
        return chain;
    }

    public static string Kind<T>()
        where T : IMessage<T>, new() => ResourceKinds.For(new T().Descriptor).Kind;
}
