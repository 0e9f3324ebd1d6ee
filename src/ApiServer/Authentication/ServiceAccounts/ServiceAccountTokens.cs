using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMesh.ApiServer.Authentication.ServiceAccounts;

/// <summary>
/// Signs and reads service-account tokens as kube-apiserver does (signed with one key, verified with it or with any
/// key of Authentication:ServiceAccountKeyFiles, so tokens of a retired key keep working while the key is listed): iss, sub, aud, exp, nbf, iat, jti, and the
/// private claim "kubernetes.io" naming the namespace, the account and the bound pod, secret or node. Reading checks the
/// signature, the issuer, that one audience is the api-server's, and the time window; whether the account and the
/// pod still exist is the authenticator's part.
/// </summary>
/// <param name="verifiers">The keys a token may be signed with: the signing key's, then older ones still trusted.</param>
public sealed class ServiceAccountTokens(ServiceAccountSigningKey key, string issuer, IReadOnlyList<string> apiAudiences, TimeProvider clock, IReadOnlyList<VerificationKey>? verifiers = null)
{
    private readonly IReadOnlyList<VerificationKey> _verifiers = [key.Verification, .. verifiers ?? []];

    private const string PrivateClaim = "kubernetes.io";

    public string Issuer => issuer;

    public IReadOnlyList<string> ApiAudiences => apiAudiences;

    public string Issue(ServiceAccountClaims claims, IReadOnlyList<string> audiences, DateTimeOffset expires)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var k8s = new JsonObject
        {
            ["namespace"] = claims.Namespace,
            ["serviceaccount"] = new JsonObject { ["name"] = claims.Name, ["uid"] = claims.Uid },
        };
        if (claims.PodName is not null)
        {
            k8s["pod"] = new JsonObject { ["name"] = claims.PodName, ["uid"] = claims.PodUid };
        }

        if (claims.SecretName is not null)
        {
            k8s["secret"] = new JsonObject { ["name"] = claims.SecretName, ["uid"] = claims.SecretUid };
        }

        if (claims.NodeName is not null)
        {
            k8s["node"] = new JsonObject { ["name"] = claims.NodeName, ["uid"] = claims.NodeUid };
        }

        var body = new JsonObject
        {
            ["aud"] = new JsonArray([.. audiences.Select(a => (JsonNode?)JsonValue.Create(a))]),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["iat"] = now,
            ["iss"] = issuer,
            ["jti"] = claims.TokenId,
            [PrivateClaim] = k8s,
            ["nbf"] = now,
            ["sub"] = ServiceAccountClaims.UserName(claims.Namespace, claims.Name),
        };
        return JsonWebSignature.Sign(body, key.Key, key.KeyId);
    }

    /// <summary>Whether the token has the shape of a JWT (three base64url parts, a JSON header), so only those are read.</summary>
    public static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2 && token.StartsWith("eyJ", StringComparison.Ordinal);

    /// <exception cref="AuthenticationException">The token is not a valid, current token of this issuer for the api-server.</exception>
    public ServiceAccountClaims Read(string token)
    {
        var claims = JsonWebSignature.Verify(token, _verifiers);
        if (Text(claims, "iss") != issuer)
        {
            throw new AuthenticationException("token issuer is not trusted");
        }

        var audiences = claims["aud"] switch
        {
            JsonArray a => a.Select(v => v?.GetValueKind() == JsonValueKind.String ? (string)v! : "").ToArray(),
            JsonValue v when v.GetValueKind() == JsonValueKind.String => [(string)v!],
            _ => [],
        };
        if (!audiences.Any(apiAudiences.Contains))
        {
            throw new AuthenticationException("token audiences are not the api-server's");
        }

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        // kube-apiserver allows a minute of skew on both ends.
        const long leeway = 60;
        if (Seconds(claims, "exp") is not { } exp || now > exp + leeway)
        {
            throw new AuthenticationException("token has expired");
        }

        if (Seconds(claims, "nbf") is { } nbf && now < nbf - leeway)
        {
            throw new AuthenticationException("token is not valid yet");
        }

        var k8s = claims[PrivateClaim] as JsonObject ?? throw new AuthenticationException("token has no kubernetes.io claim");
        var ns = Text(k8s, "namespace");
        var account = k8s["serviceaccount"] as JsonObject;
        var name = Text(account, "name");
        var uid = Text(account, "uid");
        if (ns is null or "" || name is null or "" || uid is null or "" || Text(claims, "sub") != ServiceAccountClaims.UserName(ns, name))
        {
            throw new AuthenticationException("token does not name a service account");
        }

        var pod = k8s["pod"] as JsonObject;
        var secret = k8s["secret"] as JsonObject;
        var node = k8s["node"] as JsonObject;
        return new ServiceAccountClaims(
            ns, name, uid, Text(pod, "name"), Text(pod, "uid"), Text(claims, "jti") ?? "",
            Text(secret, "name"), Text(secret, "uid"), Text(node, "name"), Text(node, "uid"));
    }

    private static string? Text(JsonObject? o, string name) =>
        o?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? (string)v! : null;

    private static long? Seconds(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var s) ? s : null;
}
