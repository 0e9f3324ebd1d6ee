using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Acme.V1;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.CertificateController.Acme;
using KubeMesh.CertificateController.Pki;
using KubeMesh.Client;

namespace KubeMesh.CertificateController.Controllers.Issuers;

/// <summary>
/// Checks that an issuer can sign and says so in its Ready condition, with cert-manager's reasons (pkg/issuer/*/setup.go):
/// selfSigned is always ready (IsReady); ca needs a readable CA key pair (KeyPairVerified, ErrGetKeyPair,
/// ErrInvalidKeyPair); acme needs an account at the server (ACMEAccountRegistered, ErrRegisterACMEAccount,
/// ErrVerifyACMEAccount), its key kept in privateKeySecretRef and made there when missing.
/// </summary>
internal sealed class IssuerSetup(ControllerContext context, AcmeClientRegistry acme)
{
    public const string DefaultAccountKeyName = "tls.key";
    private readonly Lister<Secret> _secrets = context.Informers.GetLister<Secret>();
    private readonly ResourceClient<Secret> _secretClient = context.Client.For<Secret>();

    /// <summary>The Ready condition's outcome; <see cref="Retry"/> asks for another attempt with backoff.</summary>
    public sealed record Result(string Status, string Reason, string Message, bool Retry = false);

    public async Task<Result> SetupAsync(GenericIssuer issuer, IssuerStatus status, CancellationToken cancellationToken)
    {
        var spec = issuer.Spec;
        if (spec.SelfSigned is not null)
        {
            return new Result(Conditions.True, "IsReady", "");
        }

        if (spec.Ca is { } ca)
        {
            return CertificateAuthority(issuer, ca);
        }

        if (spec.Acme is { } acmeSpec)
        {
            return await AcmeAsync(issuer, acmeSpec, status, cancellationToken).ConfigureAwait(false);
        }

        return new Result(Conditions.False, "InvalidConfig", "no issuer type is configured");
    }

    private Result CertificateAuthority(GenericIssuer issuer, CAIssuer ca)
    {
        const string prefix = "Error getting keypair for CA issuer: ";
        if (_secrets.Get(issuer.ResourceNamespace, ca.SecretName) is not { } secret)
        {
            return new Result(Conditions.False, "ErrGetKeyPair", $"{prefix}secrets \"{ca.SecretName}\" not found", Retry: false);
        }

        try
        {
            var chain = TlsSecretData.Chain(secret);
            using var key = TlsSecretData.Key(secret);
            if (chain.Count == 0 || key is null)
            {
                return new Result(Conditions.False, "ErrGetKeyPair", $"{prefix}secret \"{ca.SecretName}\" has no {(chain.Count == 0 ? TlsSecretData.Certificate : TlsSecretData.PrivateKey)}");
            }

            if (!chain[0].Extensions.OfType<System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
            {
                return new Result(Conditions.False, "ErrInvalidKeyPair", prefix + "certificate is not a CA");
            }

            if (!PrivateKeys.Matches(key, chain[0].PublicKey))
            {
                return new Result(Conditions.False, "ErrInvalidKeyPair", prefix + "the private key does not match the certificate");
            }
        }
        catch (CryptographicException e)
        {
            return new Result(Conditions.False, "ErrGetKeyPair", prefix + e.Message);
        }

        return new Result(Conditions.True, "KeyPairVerified", "Signing CA verified");
    }

    private async Task<Result> AcmeAsync(GenericIssuer issuer, ACMEIssuer spec, IssuerStatus status, CancellationToken cancellationToken)
    {
        var reference = spec.PrivateKeySecretRef;
        var keyName = reference.Key.Length > 0 ? reference.Key : DefaultAccountKeyName;
        string pem;
        if (_secrets.Get(issuer.ResourceNamespace, reference.Name) is { } secret)
        {
            if (!secret.Data.TryGetValue(keyName, out var data) || data.IsEmpty)
            {
                return new Result(Conditions.False, "ErrVerifyACMEAccount", $"Failed to verify ACME account: secret \"{reference.Name}\" has no key \"{keyName}\"");
            }

            pem = data.ToStringUtf8();
        }
        else if (spec.DisableAccountKeyGeneration)
        {
            return new Result(Conditions.False, "ErrVerifyACMEAccount",
                $"Failed to verify ACME account: the ACME issuer config has 'disableAccountKeyGeneration' set to true, but the secret was not found: secrets \"{reference.Name}\" not found");
        }
        else
        {
            pem = await CreateAccountKeyAsync(issuer, reference.Name, keyName, cancellationToken).ConfigureAwait(false);
        }

        AcmeClient client;
        try
        {
            client = acme.For(spec, pem);
        }
        catch (ArgumentException e)
        {
            return new Result(Conditions.False, "ErrVerifyACMEAccount", "Account private key is invalid: " + e.Message);
        }

        var keyHash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(pem)));
        var acmeStatus = status.Acme ??= new ACMEIssuerStatus();
        if (acmeStatus.Uri.Length > 0 && acmeStatus.LastRegisteredEmail == spec.Email && acmeStatus.LastPrivateKeyHash == keyHash
            && Uri.TryCreate(acmeStatus.Uri, UriKind.Absolute, out var account) && account.Authority == new Uri(spec.Server).Authority
            && issuer.IsReady)
        {
            return new Result(Conditions.True, "ACMEAccountRegistered", "The ACME account was registered with the ACME server");
        }

        try
        {
            var registered = await client.RegisterAccountAsync(spec.Email, cancellationToken).ConfigureAwait(false);
            acmeStatus.Uri = registered.Url.AbsoluteUri;
            acmeStatus.LastRegisteredEmail = spec.Email;
            acmeStatus.LastPrivateKeyHash = keyHash;
            return new Result(Conditions.True, "ACMEAccountRegistered", "The ACME account was registered with the ACME server");
        }
        catch (Exception e) when (e is AcmeException or HttpRequestException or InvalidDataException or InvalidOperationException or System.Text.Json.JsonException
            || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            acmeStatus.Uri = "";
            return new Result(Conditions.False, "ErrRegisterACMEAccount", "Failed to register ACME account: " + AcmeErrors.Describe(e), Retry: true);
        }
    }

    private async Task<string> CreateAccountKeyAsync(GenericIssuer issuer, string name, string keyName, CancellationToken cancellationToken)
    {
        using var key = AccountKey.Generate();
        var pem = key.ExportPem();
        var secret = new Secret
        {
            Metadata = new ObjectMeta { Name = name, Namespace = issuer.ResourceNamespace },
            Type = "Opaque",
        };
        secret.Data[keyName] = ByteString.CopyFromUtf8(pem);
        try
        {
            await _secretClient.CreateAsync(secret, cancellationToken).ConfigureAwait(false);
            return pem;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            // Made by someone else since the cache was read: use theirs.
            var existing = await _secretClient.GetAsync(issuer.ResourceNamespace, name, cancellationToken).ConfigureAwait(false);
            if (existing.Data.TryGetValue(keyName, out var data))
            {
                return data.ToStringUtf8();
            }

            throw;
        }
    }
}
