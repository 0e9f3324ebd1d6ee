using KubeMesh.Api.Core.V1;
using KubeMesh.ApiServer.Authorization;

namespace KubeMesh.ApiServer.Authentication.ServiceAccounts;

/// <summary>
/// kube-apiserver's service-account token authenticator: a token of ours authenticates only while its
/// ServiceAccount, and the pod, secret or node it is bound to, still exist with the uids it names, so deleting either
/// revokes it.
/// The objects are read from the api-server's caches, which see this replica's own writes at once.
/// </summary>
public sealed class ServiceAccountAuthenticator(ServiceAccountTokens tokens, AuthorizationCaches caches)
{
    /// <exception cref="AuthenticationException">The token does not authenticate.</exception>
    public UserInfo Authenticate(string token)
    {
        var claims = tokens.Read(token);
        if (!caches.ServiceAccounts.Synced || !caches.Pods.Synced || !caches.Secrets.Synced || !caches.Nodes.Synced)
        {
            throw new AuthenticationException("service accounts are not loaded yet");
        }

        if (caches.ServiceAccounts.Get(claims.Namespace, claims.Name) is not ServiceAccount account || account.Metadata.Uid != claims.Uid)
        {
            throw new AuthenticationException($"service account {claims.Namespace}/{claims.Name} (uid {claims.Uid}) no longer exists");
        }

        if (account.Metadata.DeletionTimestamp is not null)
        {
            throw new AuthenticationException($"service account {claims.Namespace}/{claims.Name} is being deleted");
        }

        if (claims.PodName is not null)
        {
            if (caches.Pods.Get(claims.Namespace, claims.PodName) is not Pod pod || pod.Metadata.Uid != claims.PodUid)
            {
                throw new AuthenticationException($"pod {claims.Namespace}/{claims.PodName} (uid {claims.PodUid}) the token is bound to no longer exists");
            }

            if (pod.Metadata.DeletionTimestamp is not null && pod.Status?.Phase is "Succeeded" or "Failed")
            {
                throw new AuthenticationException($"pod {claims.Namespace}/{claims.PodName} the token is bound to has finished and is being deleted");
            }
        }

        if (claims.SecretName is not null
            && (caches.Secrets.Get(claims.Namespace, claims.SecretName) is not Secret secret || secret.Metadata.Uid != claims.SecretUid || secret.Metadata.DeletionTimestamp is not null))
        {
            throw new AuthenticationException($"secret {claims.Namespace}/{claims.SecretName} (uid {claims.SecretUid}) the token is bound to no longer exists");
        }

        // A node-bound token lives with its node; a pod-bound one only names the pod's node, which is not checked.
        if (claims.NodeName is not null && claims.PodName is null
            && (caches.Nodes.Get("", claims.NodeName) is not Node node || node.Metadata.Uid != claims.NodeUid || node.Metadata.DeletionTimestamp is not null))
        {
            throw new AuthenticationException($"node {claims.NodeName} (uid {claims.NodeUid}) the token is bound to no longer exists");
        }

        return claims.ToUser();
    }
}
