using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using KubeMesh.Api.CertManager.V1;
using CertificateRequest = KubeMesh.Api.CertManager.V1.CertificateRequest;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.CertificateController.Pki;
using KubeMesh.Client;

namespace KubeMesh.CertificateController.Controllers.Certificates;

internal sealed partial class CertificatesController
{
    /// <summary>
    /// Moves an issuance on by one step: the next private key, then the request for the next revision, then, once
    /// the request is Ready, the Secret. Returns the written Secret when the issuance completed.
    /// </summary>
    private async Task<Secret?> IssueAsync(Certificate certificate, Secret? secret, CancellationToken cancellationToken)
    {
        using var key = await NextPrivateKeyAsync(certificate, secret, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return null;
        }

        var revision = NextRevision(certificate);
        var request = await RequestAsync(certificate, key, revision, cancellationToken).ConfigureAwait(false);
        return request is null ? null : await CompleteAsync(certificate, key, request, revision, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>cert-manager's key manager: the key for the next revision, kept in a temporary Secret until issued.</summary>
    private async Task<AsymmetricAlgorithm?> NextPrivateKeyAsync(Certificate certificate, Secret? secret, CancellationToken cancellationToken)
    {
        var ns = certificate.Metadata.Namespace;
        var status = certificate.Status;
        if (status.HasNextPrivateKeySecretName)
        {
            var stored = _secrets.Get(ns, status.NextPrivateKeySecretName) ?? await _secretClient.GetOrNullAsync(ns, status.NextPrivateKeySecretName, cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                try
                {
                    var key = TlsSecretData.Key(stored);
                    if (key is not null && PrivateKeys.Mismatches(key, certificate.Spec.PrivateKey).Count == 0)
                    {
                        return key;
                    }

                    key?.Dispose();
                }
                catch (CryptographicException)
                {
                }

                Recorder.Event(certificate, EventTypes.Normal, "Deleted", "Regenerating private key due to change in fields: [spec.privateKey]");
                await DeleteSecretAsync(ns, stored.Metadata.Name, cancellationToken).ConfigureAwait(false);
            }

            status.ClearNextPrivateKeySecretName();
        }

        // A key Secret made by an earlier sync whose status write was lost (a crash, a conflict) is used, not made again.
        foreach (var made in TemporaryKeySecrets(certificate).OrderByDescending(s => s.Metadata.CreationTimestamp))
        {
            if (ExistingKey(made) is { } adopted)
            {
                if (PrivateKeys.Mismatches(adopted, certificate.Spec.PrivateKey).Count == 0)
                {
                    status.NextPrivateKeySecretName = made.Metadata.Name;
                    return adopted;
                }

                adopted.Dispose();
            }
        }

        AsymmetricAlgorithm next;
        if (certificate.Spec.PrivateKey?.RotationPolicy == "Never" && ExistingKey(secret) is { } existing)
        {
            if (PrivateKeys.Mismatches(existing, certificate.Spec.PrivateKey) is { Count: > 0 } mismatches)
            {
                existing.Dispose();
                Recorder.Event(certificate, EventTypes.Warning, "CannotRegenerateKey",
                    $"User intervention required: existing private key in Secret \"{certificate.Spec.SecretName}\" does not match requirements on Certificate resource, mismatching fields: [{string.Join(" ", mismatches)}], but cert-manager cannot create new private key as the Certificate's .spec.privateKey.rotationPolicy is set to Never. To allow cert-manager to create a new private key you can set .spec.privateKey.rotationPolicy to 'Always' (this will result in the private key being regenerated every time a cert is renewed) ");
                return null;
            }

            next = existing;
            Recorder.Event(certificate, EventTypes.Normal, "Reused", $"Reusing private key stored in existing Secret resource \"{certificate.Spec.SecretName}\"");
        }
        else
        {
            next = PrivateKeys.Generate(certificate.Spec.PrivateKey);
        }

        using (next)
        {
            var temporary = new Secret
            {
                Metadata = new ObjectMeta
                {
                    GenerateName = certificate.Metadata.Name + "-",
                    Namespace = ns,
                    Labels = { [CertManagerNames.NextPrivateKey] = "true", [CertManagerNames.PartOfCertManager] = "true" },
                    OwnerReferences = { OwnerReferences.NewControllerRef(certificate.Metadata, ResourceKinds.Certificate) },
                },
                Type = "Opaque",
            };
            temporary.Data[TlsSecretData.PrivateKey] = ByteString.CopyFromUtf8(PrivateKeys.ToPem(next, certificate.Spec.PrivateKey?.Encoding ?? ""));
            var created = await _secretClient.CreateAsync(temporary, cancellationToken).ConfigureAwait(false);
            status.NextPrivateKeySecretName = created.Metadata.Name;
            Recorder.Event(certificate, EventTypes.Normal, "Generated", $"Stored new private key in temporary Secret resource \"{created.Metadata.Name}\"");
        }

        // The next sync, on the new Secret's event, goes on with the key as stored.
        return null;
    }

    /// <summary>
    /// cert-manager's request manager: one CertificateRequest for the next revision, signed by the next key. One that
    /// no longer fits the spec or the key, or that failed before this issuance began, is deleted and made again.
    /// </summary>
    private async Task<CertificateRequest?> RequestAsync(Certificate certificate, AsymmetricAlgorithm key, int revision, CancellationToken cancellationToken)
    {
        var request = RequestFor(certificate, revision) ?? await ListRequestForAsync(certificate, revision, cancellationToken).ConfigureAwait(false);
        if (request is not null)
        {
            var stale = CertificateRequests.Mismatches(request, certificate.Spec).Count > 0 || !RequestedWith(request, key) || FailedBeforeIssuing(certificate, request);
            if (!stale)
            {
                return request;
            }

            await DeleteRequestAsync(request, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var csr = CsrBuilder.CreatePem(certificate.Spec, key);
        var created = await _requestClient.CreateAsync(
            CertificateRequests.Build(certificate, csr, revision, certificate.Status.NextPrivateKeySecretName), cancellationToken).ConfigureAwait(false);
        Recorder.Event(certificate, EventTypes.Normal, "Requested", $"Created new CertificateRequest resource \"{created.Metadata.Name}\"");
        return null;
    }

    /// <summary>cert-manager's issuing controller: a Ready request's certificate goes into the Secret; a failed one ends the attempt.</summary>
    private async Task<Secret?> CompleteAsync(Certificate certificate, AsymmetricAlgorithm key, CertificateRequest request, int revision, CancellationToken cancellationToken)
    {
        var conditions = request.Status?.Conditions ?? [];
        var failure = Conditions.Get(conditions, "Denied") is { Status: Conditions.True } denied ? denied
            : Conditions.Get(conditions, "InvalidRequest") is { Status: Conditions.True } invalid ? invalid
            : Conditions.Get(conditions, Ready) is { Reason: "Failed" } failed ? failed
            : null;
        if (failure is not null)
        {
            Fail(certificate, failure.Reason, failure.Message);
            return null;
        }

        if (Conditions.Get(conditions, Ready) is not { Reason: "Issued" })
        {
            return null;
        }

        X509Certificate2Collection chain;
        try
        {
            chain = new X509Certificate2Collection();
            chain.ImportFromPem(request.Status!.Certificate.ToStringUtf8());
        }
        catch (CryptographicException e)
        {
            Fail(certificate, "InvalidCertificate", $"Issuer returned an invalid certificate: failed to decode: {e.Message}");
            return null;
        }

        if (chain.Count == 0 || !PrivateKeys.Matches(key, chain[0].PublicKey))
        {
            Fail(certificate, "InvalidCertificate", "Issuer returned a certificate with a public key that does not match the CSR. This usually indicates a misconfigured issuer.");
            return null;
        }

        if (Now > chain[0].NotAfter.ToUniversalTime())
        {
            Fail(certificate, "InvalidCertificate", $"Issuer returned an already expired certificate (notAfter: {chain[0].NotAfter.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}). This usually indicates an expired CA certificate in the issuer.");
            return null;
        }

        var written = await WriteSecretAsync(certificate, request, chain, key, cancellationToken).ConfigureAwait(false);
        var status = certificate.Status;
        status.Revision = revision;
        Conditions.Remove(status.Conditions, Issuing);
        status.ClearFailedIssuanceAttempts();
        status.LastFailureTime = null;
        // The key's temporary Secret goes in a later sync, once this status is written: a process stopped before the
        // write must find the key still there and finish this issuance, not start another with a new key.
        status.ClearNextPrivateKeySecretName();
        Recorder.Event(certificate, EventTypes.Normal, "Issuing", "The certificate has been successfully issued");
        return written;
    }

    private void Fail(Certificate certificate, string reason, string message)
    {
        var status = certificate.Status;
        var text = $"The certificate request has failed to complete and will be retried: {message}";
        SetCondition(certificate, Issuing, Conditions.False, reason, text);
        status.LastFailureTime = NowStamp;
        status.FailedIssuanceAttempts = (status.HasFailedIssuanceAttempts ? status.FailedIssuanceAttempts : 0) + 1;
        Recorder.Event(certificate, EventTypes.Warning, reason, text);
    }

    private async Task<Secret> WriteSecretAsync(Certificate certificate, CertificateRequest request, X509Certificate2Collection chain, AsymmetricAlgorithm key, CancellationToken cancellationToken)
    {
        var spec = certificate.Spec;
        var ns = certificate.Metadata.Namespace;
        var existing = _secrets.Get(ns, spec.SecretName) ?? await _secretClient.GetOrNullAsync(ns, spec.SecretName, cancellationToken).ConfigureAwait(false);
        var secret = existing?.Clone() ?? new Secret { Metadata = new ObjectMeta { Name = spec.SecretName, Namespace = ns }, Type = TlsSecretData.SecretType };
        secret.Data[TlsSecretData.Certificate] = request.Status.Certificate;
        secret.Data[TlsSecretData.PrivateKey] = ByteString.CopyFromUtf8(PrivateKeys.ToPem(key, spec.PrivateKey?.Encoding ?? ""));
        if (!request.Status.Ca.IsEmpty)
        {
            secret.Data[TlsSecretData.CertificateAuthority] = request.Status.Ca;
        }
        else
        {
            secret.Data.Remove(TlsSecretData.CertificateAuthority);
        }

        var annotations = secret.Metadata.Annotations;
        var leaf = chain[0];
        var names = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        annotations[CertManagerNames.CertificateName] = certificate.Metadata.Name;
        annotations[CertManagerNames.IssuerName] = spec.IssuerRef.Name;
        annotations[CertManagerNames.IssuerKind] = spec.IssuerRef.Kind.Length > 0 ? spec.IssuerRef.Kind : "Issuer";
        annotations[CertManagerNames.IssuerGroup] = spec.IssuerRef.Group;
        annotations[CertManagerNames.CommonName] = leaf.GetNameInfo(X509NameType.SimpleName, false);
        annotations[CertManagerNames.AltNames] = string.Join(",", names?.EnumerateDnsNames() ?? []);
        annotations[CertManagerNames.IpSans] = string.Join(",", names?.EnumerateIPAddresses() ?? []);
        annotations[CertManagerNames.UriSans] = string.Join(",", spec.Uris);
        secret.Metadata.Labels[CertManagerNames.PartOfCertManager] = "true";
        if (spec.SecretTemplate is { } template)
        {
            secret.Metadata.Labels.Add(template.Labels);
            foreach (var (name, value) in template.Annotations)
            {
                annotations[name] = value;
            }
        }

        return existing is null
            ? await _secretClient.CreateAsync(secret, cancellationToken).ConfigureAwait(false)
            : await _secretClient.UpdateAsync(secret, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>cert-manager's key manager outside an issuance: no temporary key Secret of the Certificate is kept.</summary>
    private async Task DeleteNextPrivateKeyAsync(Certificate certificate, CancellationToken cancellationToken)
    {
        var names = TemporaryKeySecrets(certificate).Select(s => s.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        if (certificate.Status.HasNextPrivateKeySecretName)
        {
            names.Add(certificate.Status.NextPrivateKeySecretName);
            certificate.Status.ClearNextPrivateKeySecretName();
        }

        foreach (var name in names)
        {
            await DeleteSecretAsync(certificate.Metadata.Namespace, name, cancellationToken).ConfigureAwait(false);
        }
    }

    private IEnumerable<Secret> TemporaryKeySecrets(Certificate certificate) =>
        _secrets.List(certificate.Metadata.Namespace).Where(s =>
            s.Metadata.Labels.GetValueOrDefault(CertManagerNames.NextPrivateKey) == "true"
            && s.Metadata.DeletionTimestamp is null
            && OwnerReferences.IsControlledBy(s.Metadata, certificate.Metadata));

    private static AsymmetricAlgorithm? ExistingKey(Secret? secret)
    {
        try
        {
            return secret is null ? null : TlsSecretData.Key(secret);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static bool RequestedWith(CertificateRequest request, AsymmetricAlgorithm key)
    {
        try
        {
            return PrivateKeys.Matches(key, CertificateSigner.LoadCsr(request.Spec.Request.ToStringUtf8()).PublicKey);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>A request that failed before the current Issuing condition began belongs to an earlier attempt.</summary>
    private static bool FailedBeforeIssuing(Certificate certificate, CertificateRequest request)
    {
        var issuingSince = Conditions.Get(certificate.Status.Conditions, Issuing)?.LastTransitionTime;
        var conditions = request.Status?.Conditions ?? [];
        var failed = request.Status?.FailureTime
            ?? Conditions.Get(conditions, "Denied")?.LastTransitionTime
            ?? (Conditions.Get(conditions, "InvalidRequest") is { Status: Conditions.True } invalid ? invalid.LastTransitionTime : null);
        return failed is not null && issuingSince is not null && failed < issuingSince;
    }

    private async Task<CertificateRequest?> ListRequestForAsync(Certificate certificate, int revision, CancellationToken cancellationToken)
    {
        // The cache may not have a request created a moment ago; ask the api-server before making another.
        var list = await _requestClient.ListAsync(new ListRequest { Namespace = certificate.Metadata.Namespace }, cancellationToken).ConfigureAwait(false);
        return list.Items.FirstOrDefault(r => OwnerReferences.IsControlledBy(r.Metadata, certificate.Metadata)
            && r.Metadata.DeletionTimestamp is null
            && r.Metadata.Annotations.GetValueOrDefault(CertManagerNames.CertificateRevision) == revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private Task DeleteRequestAsync(CertificateRequest request, CancellationToken cancellationToken) =>
        _requestClient.DeleteIfExistsAsync(request.Metadata.Namespace, request.Metadata.Name, cancellationToken);

    private Task DeleteSecretAsync(string ns, string name, CancellationToken cancellationToken) =>
        _secretClient.DeleteIfExistsAsync(ns, name, cancellationToken);
}
