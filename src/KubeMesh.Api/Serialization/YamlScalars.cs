using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KubeMesh.Api.Serialization;

/// <summary>
/// How an unquoted YAML scalar is typed (YAML 1.2 core schema, plus YAML 1.1's leading-zero octal that kubectl
/// reads), and which strings must be quoted on output so that no YAML reader, including the YAML 1.1 ones behind
/// kubectl, reads them back as something else.
/// </summary>
internal static partial class YamlScalars
{
    /// <summary>The JSON value a plain (unquoted) scalar stands for: null, a boolean, a number or a string.</summary>
    public static JsonNode? FromPlain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (Yaml11Octal().IsMatch(text) && TryOctal(text.AsSpan().TrimStart("+-")[1..], out var magnitude))
        {
            // kubectl reads YAML 1.1, where a leading zero means octal: file modes are written "defaultMode: 0400" (256).
            return JsonValue.Create(text.StartsWith('-') ? -magnitude : magnitude);
        }

        if (DecimalInteger().IsMatch(text))
        {
            // Kept as JSON text so a value read into a string field keeps its digits exactly. JSON has no leading
            // zeros; "0800" is not octal, and both YAML 1.1 and 1.2 read it as 800.
            var negative = text.StartsWith('-');
            var digits = text.TrimStart('+', '-').TrimStart('0');
            return JsonNumbers.FromText((negative ? "-" : "") + (digits.Length == 0 ? "0" : digits));
        }

        // Like go-yaml, a hex or octal number too large for 64 bits is not a number but a string.
        if (text.StartsWith("0x", StringComparison.Ordinal) && HexInteger().IsMatch(text))
        {
            return ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex)
                ? JsonValue.Create(hex)
                : JsonValue.Create(text);
        }

        if (text.StartsWith("0o", StringComparison.Ordinal) && OctalInteger().IsMatch(text))
        {
            return TryOctal(text.AsSpan(2), out var octal) ? JsonValue.Create(octal) : JsonValue.Create(text);
        }

        if (Float().IsMatch(text))
        {
            var json = text.TrimStart('+');
            json = json.StartsWith('.') ? "0" + json : json.StartsWith("-.", StringComparison.Ordinal) ? "-0" + json[1..] : json;
            json = json.Replace(".e", ".0e", StringComparison.OrdinalIgnoreCase);
            json = json.EndsWith('.') ? json + "0" : json;
            return JsonNumbers.FromText(json);
        }

        return JsonValue.Create(text);
    }

    private static bool TryOctal(ReadOnlySpan<char> digits, out long value)
    {
        value = 0;
        foreach (var digit in digits)
        {
            if (value > long.MaxValue >> 3)
            {
                return false;
            }

            value = (value << 3) | (long)(digit - '0');
        }

        return true;
    }

    /// <summary>True when <paramref name="text"/> written unquoted would not read back as that same string.</summary>
    public static bool NeedsQuotes(string text) =>
        FromPlain(text) is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.String
        || Yaml11Special().IsMatch(text) || SpecialFloat().IsMatch(text);

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^[-+]?0[0-7]+$")]
    private static partial Regex Yaml11Octal();

    [GeneratedRegex(@"^0x[0-9a-fA-F]+$")]
    private static partial Regex HexInteger();

    [GeneratedRegex(@"^0o[0-7]+$")]
    private static partial Regex OctalInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();

    [GeneratedRegex(@"^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$")]
    private static partial Regex SpecialFloat();

    // YAML 1.1 booleans, binary/underscored/sexagesimal numbers and timestamps.
    [GeneratedRegex(@"^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$|^[-+]?0b[01_]+$|^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$|^[-+]?[0-9][0-9_]*(\.[0-9_]*)?$|^\d{4}-\d\d?-\d\d?")]
    private static partial Regex Yaml11Special();
}
