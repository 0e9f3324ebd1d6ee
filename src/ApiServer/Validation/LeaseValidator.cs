using KubeMesh.Api.Coordination.V1;

namespace KubeMesh.ApiServer.Validation;

/// <summary>Leases: a positive duration and a transition count that never goes negative.</summary>
internal static class LeaseValidator
{
    public static void Validate(Lease lease, ErrorList errors)
    {
        if (lease.Spec is not { } spec)
        {
            return;
        }

        if (spec.HasLeaseDurationSeconds)
        {
            errors.Positive("spec.leaseDurationSeconds", spec.LeaseDurationSeconds);
        }

        if (spec.HasLeaseTransitions)
        {
            errors.NonNegative("spec.leaseTransitions", spec.LeaseTransitions);
        }
    }
}
