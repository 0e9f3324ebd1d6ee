using KubeMesh.IngressController.Configuration;

namespace KubeMesh.IngressController.Auth;

/// <summary>
/// The basic-auth checks of one build, one per auth-secret version and realm. The previous build's checks are
/// handed in: one made for the same secret version is carried over, so the headers it has verified stay verified
/// (a bcrypt hash costs milliseconds) across rebuilds that did not touch the secret.
/// </summary>
internal sealed class BasicAuthSet(IReadOnlyDictionary<string, BasicAuthenticator> previous)
{
    private readonly Dictionary<string, BasicAuthenticator> _built = new(StringComparer.Ordinal);

    /// <summary>The checks this build uses, by key; what the next build is handed.</summary>
    public IReadOnlyDictionary<string, BasicAuthenticator> Built => _built;

    /// <summary>
    /// The rule's basic-auth check, null when the ingress asks for none; a missing or unreadable secret denies
    /// everyone (fails closed). <paramref name="key"/> names the secret version and realm ("" without auth).
    /// </summary>
    public BasicAuthenticator? For(IngressRule rule, BuildContext context, out string key)
    {
        key = "";
        var annotations = rule.Annotations;
        if (!annotations.BasicAuth)
        {
            return null;
        }

        var reference = annotations.AuthSecret ?? "";
        var slash = reference.IndexOf('/');
        var (ns, name) = slash > 0 ? (reference[..slash], reference[(slash + 1)..]) : (rule.Namespace, reference);
        context.Referenced.Add(ns + "/" + name);
        var secret = name.Length == 0 ? null : context.State.GetSecret(ns, name);
        var content = secret?.Data.TryGetValue("auth", out var auth) == true ? auth.ToStringUtf8() : null;
        if (content is null)
        {
            context.Warn(rule.Ingress, $"auth-secret {ns}/{name}: missing or without key \"auth\"; denying all requests");
        }

        key = $"{ns}/{name}@{secret?.Metadata.Uid}:{secret?.Metadata.ResourceVersion}#{annotations.AuthRealm}";
        if (!_built.TryGetValue(key, out var authenticator))
        {
            authenticator = previous.GetValueOrDefault(key) ?? new BasicAuthenticator(HtpasswdFile.Parse(content ?? ""), annotations.AuthRealm);
            _built[key] = authenticator;
        }

        return authenticator;
    }
}
