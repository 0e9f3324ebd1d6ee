using KubeMesh.Api.Core.V1;

namespace KubeMesh.ApiServer.Authorization;

/// <summary>
/// kube-apiserver's Node authorizer, for kubelets (users system:node:NAME in system:nodes): a kubelet reads a Secret,
/// ConfigMap or PersistentVolumeClaim only when a pod bound to its node uses it, reaches Leases only as its own
/// heartbeat (kube-node-lease/NAME), and otherwise may do what the system:node role lists;
/// <see cref="NodeRestriction"/> then keeps its writes to its own Node and pods. For anyone else it has no opinion.
/// </summary>
public sealed class NodeAuthorizer(AuthorizationCaches caches) : IAuthorizer
{
    public const string LeaseNamespace = "kube-node-lease";

    public AuthorizationResult Authorize(AuthorizationAttributes a)
    {
        if (a.User.NodeName is not { } node)
        {
            return AuthorizationResult.NoOpinion;
        }

        if (a.IsResourceRequest && a.ApiGroup.Length == 0 && a.Subresource.Length == 0 && a.Resource is "secrets" or "configmaps" or "persistentvolumeclaims")
        {
            return Referenced(a, node);
        }

        if (a.IsResourceRequest && a.ApiGroup.Length == 0 && a.Resource == "serviceaccounts" && a.Subresource == "token")
        {
            return ServiceAccountToken(a, node);
        }

        if (a.IsResourceRequest && a.ApiGroup == "coordination.k8s.io" && a.Resource == "leases")
        {
            // create names no object yet: NodeRestriction checks the created Lease's name.
            var own = a.Namespace == LeaseNamespace && (a.Verb == "create" || a.Name == node);
            return own && a.Verb is "get" or "create" or "update" or "patch" or "delete"
                ? new AuthorizationResult(Decision.Allow, "")
                : new AuthorizationResult(Decision.NoOpinion, $"can only access node lease with the same name as the requesting node ('{node}')");
        }

        return BootstrapPolicy.NodeRules.Any(r => PolicyRules.Allows(r, a))
            ? new AuthorizationResult(Decision.Allow, "")
            : AuthorizationResult.NoOpinion;
    }

    /// <summary>
    /// A single object that a pod bound to the node uses (a get, or a list or watch narrowed to its name by a field
    /// selector); never a list or watch of them all.
    /// </summary>
    private AuthorizationResult Referenced(AuthorizationAttributes a, string node)
    {
        if (a.Verb is not ("get" or "list" or "watch") || a.Name.Length == 0)
        {
            return new AuthorizationResult(Decision.NoOpinion, $"can only read individual {a.Resource} referenced by pods bound to the node ('{node}')");
        }

        if (!caches.Pods.Synced)
        {
            return new AuthorizationResult(Decision.NoOpinion, "node authorizer: the pods are not loaded yet");
        }

        foreach (var pod in caches.Pods.Items.Cast<Pod>())
        {
            if (pod.Spec?.NodeName == node && pod.Metadata.Namespace == a.Namespace && Uses(pod.Spec, a.Resource, a.Name))
            {
                return new AuthorizationResult(Decision.Allow, "");
            }
        }

        return new AuthorizationResult(Decision.NoOpinion, $"no relationship found between node '{node}' and this object");
    }

    /// <summary>
    /// A token of a ServiceAccount that a pod bound to the node runs as; NodeRestriction's part, that the token be
    /// bound to such a pod, is checked where the TokenRequest is read.
    /// </summary>
    private AuthorizationResult ServiceAccountToken(AuthorizationAttributes a, string node)
    {
        if (a.Verb != "create" || a.Name.Length == 0)
        {
            return new AuthorizationResult(Decision.NoOpinion, $"can only create tokens for individual service accounts of pods bound to the node ('{node}')");
        }

        if (!caches.Pods.Synced)
        {
            return new AuthorizationResult(Decision.NoOpinion, "node authorizer: the pods are not loaded yet");
        }

        return caches.Pods.Items.Cast<Pod>().Any(p => p.Spec?.NodeName == node && p.Metadata.Namespace == a.Namespace && Services.ServiceAccountTokenApi.PodServiceAccount(p) == a.Name)
            ? new AuthorizationResult(Decision.Allow, "")
            : new AuthorizationResult(Decision.NoOpinion, $"no relationship found between node '{node}' and this object");
    }

    private static bool Uses(PodSpec spec, string resource, string name)
    {
        foreach (var volume in spec.Volumes)
        {
            var used = resource switch
            {
                "secrets" => volume.Secret?.SecretName,
                "configmaps" => volume.ConfigMap?.Name,
                _ => volume.PersistentVolumeClaim?.ClaimName,
            };
            var projected = volume.Projected?.Sources.Select(s => resource switch
            {
                "secrets" => s.Secret?.Name,
                "configmaps" => s.ConfigMap?.Name,
                _ => null,
            }) ?? [];
            if (used == name || projected.Contains(name))
            {
                return true;
            }
        }

        if (resource == "persistentvolumeclaims")
        {
            return false;
        }

        foreach (var container in spec.InitContainers.Concat(spec.Containers))
        {
            foreach (var from in container.EnvFrom)
            {
                if ((resource == "secrets" ? from.SecretRef?.Name : from.ConfigMapRef?.Name) == name)
                {
                    return true;
                }
            }

            foreach (var env in container.Env)
            {
                if ((resource == "secrets" ? env.ValueFrom?.SecretKeyRef?.Name : env.ValueFrom?.ConfigMapKeyRef?.Name) == name)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
