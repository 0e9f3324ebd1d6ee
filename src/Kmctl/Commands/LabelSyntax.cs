using System.Text.RegularExpressions;

namespace KubeMesh.Kmctl.Commands;

/// <summary>Kubernetes' label key and value syntax: an optional DNS-subdomain prefix and a name of at most 63 characters.</summary>
public static partial class LabelSyntax
{
    public static bool IsValidKey(string key)
    {
        var slash = key.LastIndexOf('/');
        var name = slash >= 0 ? key[(slash + 1)..] : key;
        var prefix = slash >= 0 ? key[..slash] : null;
        return name.Length is > 0 and <= 63 && Name().IsMatch(name)
            && (prefix is null || (prefix.Length is > 0 and <= 253 && Subdomain().IsMatch(prefix)));
    }

    public static bool IsValidValue(string value) => value.Length == 0 || (value.Length <= 63 && Name().IsMatch(value));

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex Name();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();
}
