using System.Text;
using Google.Protobuf;
using KubeMesh.Api.Resources;

namespace KubeMesh.Api.Selectors;

/// <summary>
/// A parsed field selector (k8s.io/apimachinery/pkg/fields): comma-joined terms "field=value", "field==value" or
/// "field!=value", all of which must hold. In values, '\' escapes ',', '=', '!' and '\' itself.
/// </summary>
public sealed class FieldSelector
{
    private FieldSelector(IReadOnlyList<FieldRequirement> requirements) => Requirements = requirements;

    public static FieldSelector Everything { get; } = new([]);

    public IReadOnlyList<FieldRequirement> Requirements { get; }

    public bool IsEverything => Requirements.Count == 0;

    /// <exception cref="FormatException">A term has no operator, no field, or a bad escape.</exception>
    public static FieldSelector Parse(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return Everything;
        }

        var requirements = new List<FieldRequirement>();
        foreach (var term in SplitTerms(selector))
        {
            requirements.Add(ParseTerm(selector, term));
        }

        return new(requirements);
    }

    /// <summary>Parses and checks every field is one the kind supports, as the api-server does before listing.</summary>
    /// <exception cref="FormatException">Bad syntax, or "field label not supported: &lt;field&gt;".</exception>
    public static FieldSelector Parse(string? selector, ResourceKind kind)
    {
        var parsed = Parse(selector);
        parsed.Validate(kind);
        return parsed;
    }

    /// <exception cref="FormatException">A field is not supported for the kind.</exception>
    public void Validate(ResourceKind kind)
    {
        foreach (var requirement in Requirements)
        {
            if (!ObjectFields.IsSupported(kind, requirement.Field))
            {
                throw new FormatException(
                    $"field label not supported: {requirement.Field} (supported for {kind.Plural}: {string.Join(", ", ObjectFields.SupportedFields(kind))})");
            }
        }
    }

    public bool Matches(Func<string, string?> getField)
    {
        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(getField))
            {
                return false;
            }
        }

        return true;
    }

    public bool Matches(ResourceKind kind, IMessage obj) => Matches(field => ObjectFields.Get(kind, obj, field));

    /// <summary>The value the selector requires for the field with "=", which lets a store use an index.</summary>
    public bool TryGetExactMatch(string field, out string value)
    {
        var requirement = Requirements.FirstOrDefault(r => r.Field == field && !r.Negated);
        value = requirement?.Value ?? "";
        return requirement is not null;
    }

    public override string ToString() => string.Join(",", Requirements);

    public static string EscapeValue(string value)
    {
        if (value.AsSpan().IndexOfAny("\\,=!") < 0)
        {
            return value;
        }

        var sb = new StringBuilder(value.Length + 4);
        foreach (var c in value)
        {
            if (c is '\\' or ',' or '=' or '!')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    private static FieldRequirement ParseTerm(string selector, string term)
    {
        for (var i = 0; i < term.Length; i++)
        {
            if (term[i] == '\\')
            {
                i++;
                continue;
            }

            var (opLength, negated) = term.AsSpan(i) switch
            {
                ['!', '=', ..] => (2, true),
                ['=', '=', ..] => (2, false),
                ['=', ..] => (1, false),
                _ => (0, false),
            };
            if (opLength == 0)
            {
                continue;
            }

            var field = term[..i].Trim();
            if (field.Length == 0)
            {
                throw new FormatException($"invalid field selector \"{selector}\": term \"{term}\" names no field");
            }

            return new FieldRequirement(field, Unescape(selector, term[(i + opLength)..].Trim()), negated);
        }

        throw new FormatException($"invalid field selector \"{selector}\": can't understand \"{term}\" (expected field=value, field==value or field!=value)");
    }

    private static string Unescape(string selector, string value)
    {
        if (!value.Contains('\\'))
        {
            return value;
        }

        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\')
            {
                sb.Append(value[i]);
                continue;
            }

            if (i + 1 >= value.Length || value[i + 1] is not ('\\' or ',' or '=' or '!'))
            {
                throw new FormatException($"invalid field selector \"{selector}\": invalid escape sequence in value \"{value}\"");
            }

            sb.Append(value[++i]);
        }

        return sb.ToString();
    }

    private static IEnumerable<string> SplitTerms(string selector)
    {
        var start = 0;
        for (var i = 0; i < selector.Length; i++)
        {
            if (selector[i] == '\\')
            {
                i++;
            }
            else if (selector[i] == ',')
            {
                yield return selector[start..i];
                start = i + 1;
            }
        }

        yield return selector[start..];
    }
}
