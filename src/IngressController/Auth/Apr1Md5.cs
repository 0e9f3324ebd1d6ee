using System.Security.Cryptography;
using System.Text;

namespace KubeMesh.IngressController.Auth;

/// <summary>
/// Apache's "$apr1$" password hash (htpasswd -m, its default): Poul-Henning Kamp's MD5-crypt with the magic
/// "$apr1$", 1000 rounds of MD5 over the password, an up-to-8-character salt and the previous digest.
/// </summary>
internal static class Apr1Md5
{
    public const string Magic = "$apr1$";
    private const string Itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>True when <paramref name="password"/> hashes to <paramref name="hash"/> ("$apr1$salt$digest").</summary>
    public static bool Verify(ReadOnlySpan<byte> password, string hash)
    {
        if (!hash.StartsWith(Magic, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = hash.AsSpan(Magic.Length);
        var end = rest.IndexOf('$');
        if (end < 0)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(hash);
        var computed = Encoding.ASCII.GetBytes(Hash(password, rest[..Math.Min(end, 8)]));
        return CryptographicOperations.FixedTimeEquals(expected, computed);
    }

    public static string Hash(ReadOnlySpan<byte> password, ReadOnlySpan<char> saltChars)
    {
        var salt = Encoding.ASCII.GetBytes(saltChars.ToArray());
        var magic = Encoding.ASCII.GetBytes(Magic);

        Span<byte> final = stackalloc byte[16];
        using (var alternate = new MemoryStream())
        {
            alternate.Write(password);
            alternate.Write(salt);
            alternate.Write(password);
            MD5.HashData(alternate.ToArray(), final);
        }

        using (var context = new MemoryStream())
        {
            context.Write(password);
            context.Write(magic);
            context.Write(salt);
            for (var left = password.Length; left > 0; left -= 16)
            {
                context.Write(final[..Math.Min(left, 16)]);
            }

            // A quirk of the original: the bits of the length pick a zero byte or the password's first byte.
            for (var i = password.Length; i != 0; i >>= 1)
            {
                context.WriteByte((i & 1) != 0 ? (byte)0 : password[0]);
            }

            MD5.HashData(context.ToArray(), final);
        }

        using var round = new MemoryStream(password.Length * 2 + salt.Length + 16);
        for (var i = 0; i < 1000; i++)
        {
            round.SetLength(0);
            if ((i & 1) != 0)
            {
                round.Write(password);
            }
            else
            {
                round.Write(final);
            }

            if (i % 3 != 0)
            {
                round.Write(salt);
            }

            if (i % 7 != 0)
            {
                round.Write(password);
            }

            if ((i & 1) != 0)
            {
                round.Write(final);
            }
            else
            {
                round.Write(password);
            }

            MD5.HashData(round.GetBuffer().AsSpan(0, (int)round.Length), final);
        }

        var text = new StringBuilder(Magic.Length + salt.Length + 1 + 22);
        text.Append(Magic).Append(saltChars).Append('$');
        To64(text, (final[0] << 16) | (final[6] << 8) | final[12], 4);
        To64(text, (final[1] << 16) | (final[7] << 8) | final[13], 4);
        To64(text, (final[2] << 16) | (final[8] << 8) | final[14], 4);
        To64(text, (final[3] << 16) | (final[9] << 8) | final[15], 4);
        To64(text, (final[4] << 16) | (final[10] << 8) | final[5], 4);
        To64(text, final[11], 2);
        return text.ToString();
    }

    private static void To64(StringBuilder text, int value, int count)
    {
        for (var i = 0; i < count; i++)
        {
            text.Append(Itoa64[value & 0x3f]);
            value >>= 6;
        }
    }
}
