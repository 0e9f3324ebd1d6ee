using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.CertificateController.Pki;

namespace KubeMesh.CertificateController.Controllers.Certificates;

internal sealed partial class CertificatesController
{
    /// <summary>
    /// cert-manager's readiness controller: Ready from the readiness policy chain, and the Secret's certificate's
    /// notBefore, notAfter and renewal time; the Certificate is looked at again at the renewal time.
    /// </summary>
    private void UpdateReadiness(string key, Certificate certificate, Secret? secret)
    {
        var status = certificate.Status;
        var violation = CertificatePolicies.Readiness(certificate, secret, CurrentRequest(certificate), Now);
        if (violation is null)
        {
            SetCondition(certificate, Ready, Conditions.True, "Ready", "Certificate is up to date and has not expired");
        }
        else
        {
            SetCondition(certificate, Ready, Conditions.False, violation.Reason, violation.Message);
        }

        // The times are the Secret's certificate's, whatever else is wrong with it.
        status.NotBefore = null;
        status.NotAfter = null;
        status.RenewalTime = null;
        if (secret is null || violation is { Reason: "DoesNotExist" or "MissingData" or "InvalidCertificate" })
        {
            return;
        }

        try
        {
            var leaf = TlsSecretData.Chain(secret)[0];
            var notBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime());
            var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());
            var renewal = CertificatePolicies.RenewalTime(notBefore, notAfter, certificate.Spec);
            status.NotBefore = Timestamp.FromDateTimeOffset(notBefore);
            status.NotAfter = Timestamp.FromDateTimeOffset(notAfter);
            status.RenewalTime = Timestamp.FromDateTimeOffset(renewal);
            RequeueAfter(key, renewal - Now);
        }
        catch (CryptographicException)
        {
        }
    }

    /// <summary>cert-manager's revision manager: keeps the newest revisionHistoryLimit (default 1) requests of issued revisions.</summary>
    private async Task DeleteOldRequestsAsync(Certificate certificate, CancellationToken cancellationToken)
    {
        if (!certificate.Status.HasRevision)
        {
            return;
        }

        var limit = certificate.Spec.HasRevisionHistoryLimit ? certificate.Spec.RevisionHistoryLimit : 1;
        var old = _requests.List(certificate.Metadata.Namespace)
            .Where(r => OwnerReferences.IsControlledBy(r.Metadata, certificate.Metadata) && r.Metadata.DeletionTimestamp is null)
            .Select(r => (Request: r, Revision: int.TryParse(r.Metadata.Annotations.GetValueOrDefault(CertManagerNames.CertificateRevision), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0))
            .Where(r => r.Revision > 0 && r.Revision <= certificate.Status.Revision - limit);
        foreach (var (request, _) in old.ToList())
        {
            await DeleteRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
