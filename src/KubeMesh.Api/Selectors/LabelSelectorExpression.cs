using Google.Protobuf.Collections;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.Api.Selectors;

/// <summary>
/// A parsed label selector (labels.Selector in Kubernetes): all requirements must match. Named so as not to clash
/// with the API's <see cref="LabelSelector"/> message, which <see cref="FromProto"/> converts.
/// </summary>
public sealed class LabelSelectorExpression
{
    private readonly bool _matchesNothing;

    private LabelSelectorExpression(IReadOnlyList<LabelRequirement> requirements, bool matchesNothing = false)
    {
        Requirements = requirements.OrderBy(r => r.Key, StringComparer.Ordinal).ToArray();
        _matchesNothing = matchesNothing;
    }

    /// <summary>Matches every object: the empty selector.</summary>
    public static LabelSelectorExpression Everything { get; } = new([]);

    /// <summary>Matches no object: what an absent (null) selector message means in Kubernetes.</summary>
    public static LabelSelectorExpression Nothing { get; } = new([], matchesNothing: true);

    /// <summary>The requirements, sorted by key.</summary>
    public IReadOnlyList<LabelRequirement> Requirements { get; }

    public bool IsEverything => !_matchesNothing && Requirements.Count == 0;

    /// <exception cref="FormatException">The text is not a valid selector; the message says where and why.</exception>
    public static LabelSelectorExpression Parse(string? selector) =>
        string.IsNullOrWhiteSpace(selector) ? Everything : new(new LabelSelectorParser(selector).Parse());

    public static bool TryParse(string? selector, out LabelSelectorExpression result, out string? error)
    {
        try
        {
            result = Parse(selector);
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            result = Nothing;
            error = e.Message;
            return false;
        }
    }

    /// <summary>
    /// Converts the API's matchLabels/matchExpressions form (metav1.LabelSelectorAsSelector): a null selector
    /// selects nothing, an empty one everything.
    /// </summary>
    /// <exception cref="FormatException">An expression is invalid; the message names its field path.</exception>
    public static LabelSelectorExpression FromProto(LabelSelector? selector)
    {
        if (selector is null)
        {
            return Nothing;
        }

        var requirements = new List<LabelRequirement>();
        foreach (var (key, value) in selector.MatchLabels)
        {
            requirements.Add(Requirement($"matchLabels[{key}]", key, SelectionOperator.Equals, [value]));
        }

        for (var i = 0; i < selector.MatchExpressions.Count; i++)
        {
            var expression = selector.MatchExpressions[i];
            var path = $"matchExpressions[{i}]";
            SelectionOperator op = expression.Operator switch
            {
                "In" => SelectionOperator.In,
                "NotIn" => SelectionOperator.NotIn,
                "Exists" => SelectionOperator.Exists,
                "DoesNotExist" => SelectionOperator.DoesNotExist,
                _ => throw new FormatException(
                    $"{path}.operator: Unsupported value: \"{expression.Operator}\": supported values: \"In\", \"NotIn\", \"Exists\", \"DoesNotExist\""),
            };
            requirements.Add(Requirement(path, expression.Key, op, expression.Values));
        }

        return new(requirements);
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels) =>
        Matches(key => labels.TryGetValue(key, out var value) ? value : null);

    public bool Matches(MapField<string, string> labels) =>
        Matches(key => labels.TryGetValue(key, out var value) ? value : null);

    public bool Matches(Func<string, string?> getLabel)
    {
        if (_matchesNothing)
        {
            return false;
        }

        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(getLabel))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The canonical text form: requirements sorted by key, set values sorted, "=" for equality.</summary>
    public override string ToString() => string.Join(",", Requirements);

    private static LabelRequirement Requirement(string path, string key, SelectionOperator op, IEnumerable<string> values)
    {
        try
        {
            return new LabelRequirement(key, op, values);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }
}
