namespace KubeMesh.Api.Selectors;

/// <summary>
/// Label key and value syntax (Kubernetes' qualified names): a key is an optional DNS-subdomain prefix and "/",
/// then a name of at most 63 characters; a value is empty or a name of at most 63 characters.
/// </summary>
public static class LabelValidation
{
    private const int NameMaxLength = 63;
    private const int PrefixMaxLength = 253;

    /// <summary>The problem with the key, or null if it is valid.</summary>
    public static string? ValidateKey(string key)
    {
        var slash = key.IndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length == 0)
            {
                return $"invalid label key \"{key}\": prefix part must be non-empty";
            }

            if (prefix.Length > PrefixMaxLength || !IsDnsSubdomain(prefix))
            {
                return $"invalid label key \"{key}\": prefix part must be a lowercase RFC 1123 subdomain of at most {PrefixMaxLength} characters";
            }
        }

        if (name.Length == 0)
        {
            return $"invalid label key \"{key}\": name part must be non-empty";
        }

        if (name.Length > NameMaxLength || !IsQualifiedNamePart(name))
        {
            return $"invalid label key \"{key}\": name part must be at most {NameMaxLength} characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
        }

        return null;
    }

    /// <summary>The problem with the value, or null if it is valid.</summary>
    public static string? ValidateValue(string value)
    {
        if (value.Length == 0)
        {
            return null;
        }

        return value.Length > NameMaxLength || !IsQualifiedNamePart(value)
            ? $"invalid label value \"{value}\": must be at most {NameMaxLength} characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric"
            : null;
    }

    private static bool IsQualifiedNamePart(string s) =>
        char.IsAsciiLetterOrDigit(s[0])
        && char.IsAsciiLetterOrDigit(s[^1])
        && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static bool IsDnsSubdomain(string s) =>
        s.Split('.').All(label =>
            label.Length is > 0 and <= 63
            && IsLowerAlphanumeric(label[0])
            && IsLowerAlphanumeric(label[^1])
            && label.All(c => IsLowerAlphanumeric(c) || c == '-'));

    private static bool IsLowerAlphanumeric(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}
