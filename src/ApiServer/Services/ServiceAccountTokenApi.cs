using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;
using KubeMesh.ApiServer.Authentication;
using KubeMesh.ApiServer.Authentication.ServiceAccounts;
using KubeMesh.ApiServer.Authorization;
using KubeMesh.ApiServer.Registry;

namespace KubeMesh.ApiServer.Services;

/// <summary>
/// serviceaccounts/token, kube-apiserver's TokenRequest: a signed token of the named ServiceAccount for the audiences
/// asked (the api-server's own when none), living expirationSeconds (default one hour, at least ten minutes), and
/// optionally bound to a Pod of that account, a Secret or a Node so it dies with that object. Nothing is stored.
/// </summary>
public sealed class ServiceAccountTokenApi(ResourceRegistry registry, RequestAuthorizer authorizer, IEnumerable<ServiceAccountTokens> signers, TimeProvider clock)
{
    public const long DefaultExpirationSeconds = 3600;
    public const long MinExpirationSeconds = 600;
    public const long MaxExpirationSeconds = 1L << 32;
    private readonly ServiceAccountTokens? _tokens = signers.SingleOrDefault();

    public async Task<TokenRequest> CreateTokenAsync(TokenRequest request)
    {
        var tokens = _tokens ?? throw new ApiException(Grpc.Core.StatusCode.NotFound, "serviceaccounts/token is not served: this api-server has no service-account signing key (Authentication:ServiceAccountSigningKeyFile)", "NotFound");
        var meta = request.Metadata ?? new();
        var ns = string.IsNullOrEmpty(meta.Namespace) ? "default" : meta.Namespace;
        var spec = request.Spec ?? new TokenRequestSpec();
        var errors = new List<FieldError>();
        if (string.IsNullOrEmpty(meta.Name))
        {
            errors.Add(FieldError.Required("metadata.name", "the ServiceAccount to issue a token for"));
        }

        var seconds = spec.HasExpirationSeconds ? spec.ExpirationSeconds : DefaultExpirationSeconds;
        if (seconds < MinExpirationSeconds)
        {
            errors.Add(FieldError.Invalid("spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes"));
        }
        else if (seconds > MaxExpirationSeconds)
        {
            errors.Add(FieldError.Invalid("spec.expirationSeconds", seconds, "may not specify a duration larger than 2^32 seconds"));
        }

        for (var i = 0; i < spec.Audiences.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(spec.Audiences[i]))
            {
                errors.Add(FieldError.Invalid($"spec.audiences[{i}]", spec.Audiences[i], "must not be empty"));
            }
        }

        var bound = spec.BoundObjectRef;
        if (bound is not null)
        {
            if (bound.Kind is not ("Pod" or "Secret" or "Node"))
            {
                errors.Add(FieldError.NotSupported("spec.boundObjectRef.kind", bound.Kind, ["Pod", "Secret", "Node"]));
            }

            if (bound.ApiVersion is not ("" or "v1"))
            {
                errors.Add(FieldError.NotSupported("spec.boundObjectRef.apiVersion", bound.ApiVersion, ["v1"]));
            }

            if (string.IsNullOrEmpty(bound.Name))
            {
                errors.Add(FieldError.Required("spec.boundObjectRef.name"));
            }
        }

        if (errors.Count > 0)
        {
            throw ApiErrors.Invalid(ResourceKinds.ServiceAccount, meta.Name, errors);
        }

        var account = (ServiceAccount)await registry.GetAsync(ResourceKinds.ServiceAccount, ns, meta.Name);
        var claims = new ServiceAccountClaims(ns, account.Metadata.Name, account.Metadata.Uid, null, null, Guid.NewGuid().ToString());
        string boundUid = "";
        string? boundPodNode = null;
        switch (bound?.Kind)
        {
            case "Pod":
                var pod = (Pod)await registry.GetAsync(ResourceKinds.Pod, ns, bound.Name);
                CheckUid(ResourceKinds.Pod, bound, pod.Metadata.Uid);
                if (PodServiceAccount(pod) != account.Metadata.Name)
                {
                    throw ApiErrors.BadRequest($"cannot bind token for serviceaccount \"{account.Metadata.Name}\" to pod running with different serviceaccount name.");
                }

                boundUid = pod.Metadata.Uid;
                boundPodNode = pod.Spec?.NodeName;
                claims = claims with { PodName = pod.Metadata.Name, PodUid = pod.Metadata.Uid };
                // The node the pod runs on rides along, for audit and authorizers (kube's ServiceAccountTokenPodNodeInfo).
                if (pod.Spec?.NodeName is { Length: > 0 } nodeName && await TryGetAsync(ResourceKinds.Node, null, nodeName) is Node podNode)
                {
                    claims = claims with { NodeName = podNode.Metadata.Name, NodeUid = podNode.Metadata.Uid };
                }

                break;
            case "Secret":
                var secret = (Secret)await registry.GetAsync(ResourceKinds.Secret, ns, bound.Name);
                CheckUid(ResourceKinds.Secret, bound, secret.Metadata.Uid);
                boundUid = secret.Metadata.Uid;
                claims = claims with { SecretName = secret.Metadata.Name, SecretUid = secret.Metadata.Uid };
                break;
            case "Node":
                var boundNode = (Node)await registry.GetAsync(ResourceKinds.Node, null, bound.Name);
                CheckUid(ResourceKinds.Node, bound, boundNode.Metadata.Uid);
                boundUid = boundNode.Metadata.Uid;
                claims = claims with { NodeName = boundNode.Metadata.Name, NodeUid = boundNode.Metadata.Uid };
                break;
        }

        // NodeRestriction: a kubelet asks only for tokens bound to the pods it runs.
        if (authorizer.NodeEnabled && RequestUser.Current?.NodeName is { } node && (bound?.Kind != "Pod" || boundPodNode != node))
        {
            throw ApiErrors.Forbidden($"serviceaccounts \"{meta.Name}\" is forbidden: node \"{node}\" can only create tokens bound to pods scheduled to it");
        }

        var audiences = spec.Audiences.Count > 0 ? spec.Audiences.ToList() : tokens.ApiAudiences.ToList();
        var expires = clock.GetUtcNow().AddSeconds(seconds);
        var issued = request.Clone();
        issued.ApiVersion = "authentication.k8s.io/v1";
        issued.Kind = "TokenRequest";
        issued.Metadata = new() { Name = account.Metadata.Name, Namespace = ns, CreationTimestamp = Timestamp.FromDateTimeOffset(clock.GetUtcNow()) };
        issued.Spec = spec.Clone();
        issued.Spec.Audiences.Clear();
        issued.Spec.Audiences.Add(audiences);
        issued.Spec.ExpirationSeconds = seconds;
        if (issued.Spec.BoundObjectRef is { } reference)
        {
            reference.ApiVersion = "v1";
            reference.Uid = boundUid;
        }

        issued.Status = new TokenRequestStatus
        {
            Token = tokens.Issue(claims, audiences, expires),
            ExpirationTimestamp = Timestamp.FromDateTimeOffset(expires),
        };
        return issued;
    }

    private static void CheckUid(ResourceKind kind, BoundObjectReference bound, string uid)
    {
        if (bound.Uid.Length > 0 && bound.Uid != uid)
        {
            throw ApiErrors.Conflict(kind, bound.Name, $"the UID in the bound object reference ({bound.Uid}) does not match the UID in record; the object might have been deleted and then recreated");
        }
    }

    private async Task<Google.Protobuf.IMessage?> TryGetAsync(ResourceKind kind, string? ns, string name)
    {
        try
        {
            return await registry.GetAsync(kind, ns, name);
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>spec.serviceAccountName, or the deprecated spec.serviceAccount, or "default".</summary>
    public static string PodServiceAccount(Pod pod) =>
        pod.Spec?.ServiceAccountName is { Length: > 0 } name ? name : pod.Spec?.ServiceAccount is { Length: > 0 } old ? old : "default";
}
