using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace KubeMesh.IngressController.Auth;

/// <summary>
/// auth-type: basic for one ingress: checks the Authorization header against the auth-secret's htpasswd file.
/// Hashes such as bcrypt cost milliseconds by design, so headers already verified are remembered (per secret
/// version, bounded) and a load of authenticated requests does not pay for a hash each.
/// </summary>
internal sealed class BasicAuthenticator
{
    private const int MaxRemembered = 1024;
    private const int MaxCredentialBytes = 1024;
    private readonly HtpasswdFile _users;
    private readonly ConcurrentDictionary<string, bool> _verified = new(StringComparer.Ordinal);
    private int _remembered;

    public BasicAuthenticator(HtpasswdFile users, string realm)
    {
        _users = users;
        Challenge = $"Basic realm=\"{realm.Replace("\"", "", StringComparison.Ordinal)}\"";
    }

    /// <summary>The WWW-Authenticate value of a 401: <c>Basic realm="..."</c>.</summary>
    public string Challenge { get; }

    public bool IsAuthorized(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization];
        if (header.Count != 1 || header[0] is not { } value)
        {
            return false;
        }

        if (_verified.ContainsKey(value))
        {
            return true;
        }

        if (!Verify(value))
        {
            return false;
        }

        if (Interlocked.Increment(ref _remembered) <= MaxRemembered)
        {
            _verified.TryAdd(value, true);
        }

        return true;
    }

    private bool Verify(string header)
    {
        const string scheme = "Basic ";
        if (header.Length <= scheme.Length || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var encoded = header.AsSpan(scheme.Length).Trim();
        if (Base64.GetMaxDecodedFromUtf8Length(encoded.Length) > MaxCredentialBytes)
        {
            return false;
        }

        Span<byte> ascii = stackalloc byte[encoded.Length];
        if (Encoding.ASCII.GetBytes(encoded, ascii) != encoded.Length)
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[MaxCredentialBytes];
        if (Base64.DecodeFromUtf8(ascii, decoded, out _, out var written) != OperationStatus.Done)
        {
            return false;
        }

        var credentials = decoded[..written];
        var colon = credentials.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        Span<char> user = stackalloc char[colon];
        if (!Encoding.UTF8.TryGetChars(credentials[..colon], user, out var userLength))
        {
            return false;
        }

        return _users.Verify(user[..userLength], credentials[(colon + 1)..]);
    }
}
