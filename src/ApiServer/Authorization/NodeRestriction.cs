using Google.Protobuf;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry;

namespace KubeMesh.ApiServer.Authorization;

/// <summary>
/// kube-apiserver's NodeRestriction admission plugin: a kubelet writes only its own Node (and sets no
/// node-restriction.kubernetes.io/ labels on it), only the status of pods bound to it, deletes only those pods,
/// creates only mirror pods bound to it, and writes only its own Lease.
/// </summary>
internal static class NodeRestriction
{
    public const string RestrictedLabelPrefix = "node-restriction.kubernetes.io/";
    public const string MirrorPodAnnotation = "kubernetes.io/config.mirror";

    public static void Validate(string node, AdmissionOperation operation, ResourceKind kind, string subresource, IMessage? obj, IMessage? old)
    {
        var target = obj ?? old;
        switch (target)
        {
            case Node n:
                ValidateNode(node, operation, n, old as Node);
                break;
            case Pod pod:
                ValidatePod(node, operation, subresource, pod, old as Pod);
                break;
            case Lease lease when lease.Metadata.Name != node || lease.Metadata.Namespace != NodeAuthorizer.LeaseNamespace:
                throw ApiErrors.Forbidden($"node \"{node}\" can only access node lease with the same name as the requesting node");
        }
    }

    private static void ValidateNode(string node, AdmissionOperation operation, Node n, Node? old)
    {
        if (n.Metadata.Name != node)
        {
            throw ApiErrors.Forbidden($"node \"{node}\" is not allowed to modify node \"{n.Metadata.Name}\"");
        }

        if (operation == AdmissionOperation.Delete)
        {
            return;
        }

        var oldLabels = old?.Metadata.Labels;
        var changed = n.Metadata.Labels
            .Where(l => l.Key.StartsWith(RestrictedLabelPrefix, StringComparison.Ordinal) || RestrictedDomain(l.Key))
            .Where(l => oldLabels is null || !oldLabels.TryGetValue(l.Key, out var v) || v != l.Value)
            .Select(l => l.Key)
            .Concat(oldLabels?.Keys.Where(k => (k.StartsWith(RestrictedLabelPrefix, StringComparison.Ordinal) || RestrictedDomain(k)) && !n.Metadata.Labels.ContainsKey(k)) ?? [])
            .ToList();
        if (changed.Count > 0)
        {
            throw ApiErrors.Forbidden(operation == AdmissionOperation.Create
                ? $"node \"{node}\" is not allowed to set the following labels: {string.Join(", ", changed)}"
                : $"node \"{node}\" is not allowed to modify labels: {string.Join(", ", changed)}");
        }
    }

    /// <summary>node-restriction.kubernetes.io and its subdomains (example.node-restriction.kubernetes.io/x).</summary>
    private static bool RestrictedDomain(string key) =>
        key.IndexOf('/', StringComparison.Ordinal) is var slash and > 0 && key[..slash].EndsWith(".node-restriction.kubernetes.io", StringComparison.Ordinal);

    private static void ValidatePod(string node, AdmissionOperation operation, string subresource, Pod pod, Pod? old)
    {
        var boundTo = (old ?? pod).Spec?.NodeName ?? "";
        switch (operation)
        {
            case AdmissionOperation.Create:
                if (!pod.Metadata.Annotations.ContainsKey(MirrorPodAnnotation))
                {
                    throw ApiErrors.Forbidden($"pod does not have \"{MirrorPodAnnotation}\" annotation, node \"{node}\" can only create mirror pods");
                }

                if (pod.Spec?.NodeName != node)
                {
                    throw ApiErrors.Forbidden($"node \"{node}\" can only create pods with spec.nodeName set to itself");
                }

                break;
            case AdmissionOperation.Update when subresource != "status":
                throw ApiErrors.Forbidden($"node \"{node}\" can only update pod status");
            case AdmissionOperation.Update when boundTo != node:
                throw ApiErrors.Forbidden($"node \"{node}\" can only update pod status for pods with spec.nodeName set to itself");
            case AdmissionOperation.Delete when boundTo != node:
                throw ApiErrors.Forbidden($"node \"{node}\" can only delete pods with spec.nodeName set to itself");
        }
    }
}
