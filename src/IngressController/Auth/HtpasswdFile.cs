using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace KubeMesh.IngressController.Auth;

/// <summary>
/// The users of an htpasswd file (the "auth" key of an auth-secret): "$apr1$" MD5 (htpasswd -m), bcrypt
/// "$2y$"/"$2a$"/"$2b$" (htpasswd -B, cost at most 17 as htpasswd allows) and "{SHA}" base64 SHA-1 (htpasswd -s).
/// crypt(3) DES entries are not supported and never match.
/// </summary>
internal sealed class HtpasswdFile
{
    /// <summary>The highest bcrypt cost htpasswd -C accepts.</summary>
    public const int MaxBcryptCost = 17;

    private readonly FrozenDictionary<string, string> _users;
    private readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _byName;

    private HtpasswdFile(FrozenDictionary<string, string> users)
    {
        _users = users;
        _byName = users.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _users.Count;

    public static HtpasswdFile Parse(string content)
    {
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in content.Split('\n'))
        {
            var line = raw.Trim();
            var colon = line.IndexOf(':');
            if (line.Length == 0 || line[0] == '#' || colon <= 0)
            {
                continue;
            }

            // As Apache, the first entry of a user counts.
            users.TryAdd(line[..colon], line[(colon + 1)..]);
        }

        return new HtpasswdFile(users.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public bool Verify(ReadOnlySpan<char> user, ReadOnlySpan<byte> password)
    {
        if (!_byName.TryGetValue(user, out var hash))
        {
            return false;
        }

        if (hash.StartsWith(Apr1Md5.Magic, StringComparison.Ordinal))
        {
            return Apr1Md5.Verify(password, hash);
        }

        if (hash.StartsWith("$2", StringComparison.Ordinal))
        {
            // A cost is 2^cost rounds: at 31 one login takes hours of a core. htpasswd -C makes 4 to 17; more never matches.
            if (hash.Length < 7 || !int.TryParse(hash.AsSpan(4, 2), out var cost) || cost > MaxBcryptCost)
            {
                return false;
            }

            try
            {
                return BCrypt.Net.BCrypt.Verify(Encoding.UTF8.GetString(password), hash);
            }
            catch (BCrypt.Net.SaltParseException)
            {
                return false;
            }
        }

        if (hash.StartsWith("{SHA}", StringComparison.Ordinal))
        {
            Span<byte> digest = stackalloc byte[20];
            SHA1.HashData(password, digest);
            Span<byte> expected = stackalloc byte[32];
            return Convert.TryFromBase64String(hash[5..], expected, out var written)
                && written == digest.Length
                && CryptographicOperations.FixedTimeEquals(expected[..written], digest);
        }

        return false;
    }
}
