using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;

namespace KubeMesh.CertificateController.Controllers.Certificates;

internal sealed partial class CertificatesController
{
    /// <summary>
    /// cert-manager's trigger controller: sets Issuing=True for why the Secret needs a new certificate, unless the last
    /// attempt failed less than the backoff ago (1h, doubling per failure up to 32h) and the spec is unchanged since.
    /// </summary>
    private void Trigger(string key, Certificate certificate, CertificatePolicies.Violation violation)
    {
        var status = certificate.Status;
        if (status.LastFailureTime is { } lastFailure && status.FailedIssuanceAttempts > 0 && !SpecChangedSinceFailure(certificate))
        {
            var options = Context.Options;
            var delay = options.IssuanceBackoffInitial * Math.Pow(2, Math.Min(status.FailedIssuanceAttempts - 1, 30));
            var retryAt = lastFailure.ToDateTimeOffset() + (delay > options.IssuanceBackoffMax ? options.IssuanceBackoffMax : delay);
            if (Now < retryAt)
            {
                RequeueAfter(key, retryAt - Now);
                return;
            }
        }

        SetCondition(certificate, Issuing, Conditions.True, violation.Reason, violation.Message);
        Recorder.Event(certificate, EventTypes.Normal, "Issuing", violation.Message);
    }

    /// <summary>Why the Secret needs a new certificate, or null when it does not or an issuance is already under way.</summary>
    private CertificatePolicies.Violation? TriggerViolation(Certificate certificate, Secret? secret) =>
        IsIssuing(certificate) ? null : CertificatePolicies.Trigger(certificate, secret, CurrentRequest(certificate), Now);

    private static bool IsIssuing(Certificate certificate) =>
        Conditions.Is(certificate.Status?.Conditions ?? [], Issuing, Conditions.True);

    /// <summary>A failed request for an older spec does not hold back issuing for the new one.</summary>
    private bool SpecChangedSinceFailure(Certificate certificate)
    {
        var failed = RequestFor(certificate, NextRevision(certificate));
        return failed is not null && CertificateRequests.Mismatches(failed, certificate.Spec).Count > 0;
    }

    /// <summary>The request the current revision was issued from, if it is still kept.</summary>
    private CertificateRequest? CurrentRequest(Certificate certificate) =>
        certificate.Status is { HasRevision: true } status ? RequestFor(certificate, status.Revision) : null;

    private static int NextRevision(Certificate certificate) => (certificate.Status.HasRevision ? certificate.Status.Revision : 0) + 1;

    private CertificateRequest? RequestFor(Certificate certificate, int revision) =>
        _requests.List(certificate.Metadata.Namespace).FirstOrDefault(r =>
            OwnerReferences.IsControlledBy(r.Metadata, certificate.Metadata)
            && r.Metadata.Annotations.GetValueOrDefault(CertManagerNames.CertificateRevision) == revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
