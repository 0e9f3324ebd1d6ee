using static KubeMesh.ApiServer.Tests.Validation.Manifests;

namespace KubeMesh.ApiServer.Tests.Validation;

/// <summary>Nodes, namespaces, claims, events and leases.</summary>
public sealed class ClusterKindsValidatorTests
{
    [Fact]
    public void ValidateCreate_NodeTaintWithoutEffect_IsRequired()
    {
        var errors = Errors("apiVersion: v1\nkind: Node\nmetadata: {name: node1}\nspec: {podCIDR: 10.244.1.0/33, taints: [{key: dedicated, value: gpu}]}\n");

        AssertError(errors, "spec.taints[0].effect", "Required value");
        AssertError(errors, "spec.podCIDR", "valid CIDR");
    }

    [Fact]
    public void ValidateCreate_NamespaceNameWithDot_IsNotALabel()
    {
        AssertError(Errors("apiVersion: v1\nkind: Namespace\nmetadata: {name: team.a}\n"), "metadata.name", "RFC 1123 label");
    }

    [Fact]
    public void ValidateCreate_ClaimWithZeroStorage_MustBeGreaterThanZero()
    {
        var errors = Errors("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 0}}}\n");

        AssertError(errors, "spec.resources.requests[storage]", "must be greater than zero");
    }

    [Fact]
    public void ValidateCreate_ClaimWithoutAccessModes_IsRequired()
    {
        var errors = Errors("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {resources: {requests: {storage: 1Gi}}}\n");

        AssertError(errors, "spec.accessModes", "Required value");
    }

    [Fact]
    public void ValidateCreate_EventWithBadType_IsUnsupported()
    {
        var errors = Errors("apiVersion: v1\nkind: Event\nmetadata: {name: e}\ninvolvedObject: {kind: Pod, name: p}\ntype: Error\n");

        AssertError(errors, "type", "Unsupported value");
    }

    [Fact]
    public void ValidateCreate_LeaseWithZeroDuration_MustBePositive()
    {
        var errors = Errors("apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: node1}\nspec: {holderIdentity: node1, leaseDurationSeconds: 0}\n");

        AssertError(errors, "spec.leaseDurationSeconds", "must be greater than 0");
    }
}
