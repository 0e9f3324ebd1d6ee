using System.Net;
using System.Text.RegularExpressions;

namespace KubeMesh.ApiServer.Validation;

/// <summary>
/// The name and value checks of k8s.io/apimachinery/pkg/util/validation, with Kubernetes' own wording. Each
/// returns the reasons a value is invalid; none means valid.
/// </summary>
public static partial class NameValidation
{
    public const int LabelMaxLength = 63;
    public const int SubdomainMaxLength = 253;

    /// <summary>
    /// Names that only need to be a path segment (apimachinery's ValidatePathSegmentName), as RBAC's are, so that
    /// "system:kube-scheduler" is a valid ClusterRole name.
    /// </summary>
    public static IReadOnlyList<string> PathSegment(string value) =>
        value is "." or ".."
            ? [$"may not be '{value}'"]
            : value.Contains('/', StringComparison.Ordinal)
                ? ["may not contain '/'"]
                : value.Contains('%', StringComparison.Ordinal) ? ["may not contain '%'"] : [];

    public static IReadOnlyList<string> IsDns1123Label(string value)
    {
        var errors = new List<string>();
        if (value.Length > LabelMaxLength)
        {
            errors.Add($"must be no more than {LabelMaxLength} characters");
        }

        if (!Dns1123Label().IsMatch(value))
        {
            errors.Add("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
        }

        return errors;
    }

    public static IReadOnlyList<string> IsDns1123Subdomain(string value)
    {
        var errors = new List<string>();
        if (value.Length > SubdomainMaxLength)
        {
            errors.Add($"must be no more than {SubdomainMaxLength} characters");
        }

        if (!Dns1123Subdomain().IsMatch(value))
        {
            errors.Add("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
        }

        return errors;
    }

    /// <summary>A subdomain that may start with "*." (ingress hosts, TLS hosts).</summary>
    public static IReadOnlyList<string> IsWildcardDns1123Subdomain(string value) =>
        value.StartsWith("*.", StringComparison.Ordinal) ? IsDns1123Subdomain(value[2..]) : IsDns1123Subdomain(value);

    /// <summary>Label and annotation keys: an optional DNS subdomain prefix and "/", then a name of at most 63 characters.</summary>
    public static IReadOnlyList<string> IsQualifiedName(string value)
    {
        var errors = new List<string>();
        var parts = value.Split('/');
        string name;
        if (parts.Length == 1)
        {
            name = parts[0];
        }
        else if (parts.Length == 2)
        {
            name = parts[1];
            if (parts[0].Length == 0)
            {
                errors.Add("prefix part must be non-empty");
            }
            else
            {
                errors.AddRange(IsDns1123Subdomain(parts[0]).Select(e => "prefix part " + e));
            }
        }
        else
        {
            errors.Add("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
            return errors;
        }

        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else if (name.Length > LabelMaxLength)
        {
            errors.Add($"name part must be no more than {LabelMaxLength} characters");
        }

        if (name.Length > 0 && !QualifiedNamePart().IsMatch(name))
        {
            errors.Add("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
        }

        return errors;
    }

    public static IReadOnlyList<string> IsValidLabelValue(string value)
    {
        var errors = new List<string>();
        if (value.Length > LabelMaxLength)
        {
            errors.Add($"must be no more than {LabelMaxLength} characters");
        }

        if (!LabelValue().IsMatch(value))
        {
            errors.Add("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
        }

        return errors;
    }

    /// <summary>Port names (IANA_SVC_NAME): at most 15 lowercase letters, digits and '-', with at least one letter.</summary>
    public static IReadOnlyList<string> IsValidPortName(string value)
    {
        var errors = new List<string>();
        if (value.Length > 15)
        {
            errors.Add("must be no more than 15 characters");
        }

        if (!PortName().IsMatch(value))
        {
            errors.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }

        if (value.Contains("--", StringComparison.Ordinal))
        {
            errors.Add("must not contain consecutive hyphens");
        }

        if (value.StartsWith('-') || value.EndsWith('-'))
        {
            errors.Add("must not begin or end with a hyphen");
        }

        if (!value.Any(char.IsAsciiLetterLower))
        {
            errors.Add("must contain at least one letter (a-z)");
        }

        return errors;
    }

    public static IReadOnlyList<string> IsValidPortNumber(long port) =>
        port is >= 1 and <= 65535 ? [] : ["must be between 1 and 65535, inclusive"];

    /// <summary>Keys of ConfigMap and Secret data, which become file names in volumes.</summary>
    public static IReadOnlyList<string> IsConfigMapKey(string value)
    {
        var errors = new List<string>();
        if (value.Length > SubdomainMaxLength)
        {
            errors.Add($"must be no more than {SubdomainMaxLength} characters");
        }

        if (!ConfigMapKey().IsMatch(value))
        {
            errors.Add("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
        }

        if (value is "." or "..")
        {
            errors.Add($"must not be '{value}'");
        }
        else if (value.StartsWith("..", StringComparison.Ordinal))
        {
            errors.Add("must not start with '..'");
        }

        return errors;
    }

    public static IReadOnlyList<string> IsEnvVarName(string value) =>
        EnvVarName().IsMatch(value)
            ? []
            : ["a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"];

    public static IReadOnlyList<string> IsValidIP(string value) =>
        IPAddress.TryParse(value, out _) && (value.Contains(':') || value.Count(c => c == '.') == 3)
            ? []
            : ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"];

    /// <summary>A relative path without ".." elements, for volume items and subPath.</summary>
    public static IReadOnlyList<string> IsRelativePathWithoutBacksteps(string value)
    {
        var errors = new List<string>();
        if (value.StartsWith('/'))
        {
            errors.Add("must be a relative path");
        }

        if (value.Split('/').Contains(".."))
        {
            errors.Add("must not contain '..'");
        }

        return errors;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedNamePart();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^[-a-z0-9]+$")]
    private static partial Regex PortName();

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex ConfigMapKey();

    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex EnvVarName();
}
