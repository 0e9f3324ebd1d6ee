namespace KubeMesh.Api.Selectors;

/// <summary>One requirement of a label selector: a key, an operator and, for all but Exists/DoesNotExist, values.</summary>
public sealed class LabelRequirement
{
    public LabelRequirement(string key, SelectionOperator op, IEnumerable<string>? values = null)
    {
        var sorted = (values ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var problem = LabelValidation.ValidateKey(key) ?? Validate(op, sorted);
        if (problem is not null)
        {
            throw new FormatException(problem);
        }

        Key = key;
        Operator = op;
        Values = sorted;
    }

    public string Key { get; }

    public SelectionOperator Operator { get; }

    /// <summary>The values, sorted and without duplicates so that equal requirements print the same.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>
    /// Kubernetes' semantics: In and Equals need the label to be present with a listed value; NotIn and NotEquals
    /// also match objects that do not have the label at all.
    /// </summary>
    public bool Matches(Func<string, string?> getLabel)
    {
        var value = getLabel(Key);
        return Operator switch
        {
            SelectionOperator.Equals or SelectionOperator.In => value is not null && Contains(value),
            SelectionOperator.NotEquals or SelectionOperator.NotIn => value is null || !Contains(value),
            SelectionOperator.Exists => value is not null,
            SelectionOperator.DoesNotExist => value is null,
            _ => false,
        };
    }

    public override string ToString() => Operator switch
    {
        SelectionOperator.Equals => $"{Key}={Values[0]}",
        SelectionOperator.NotEquals => $"{Key}!={Values[0]}",
        SelectionOperator.In => $"{Key} in ({string.Join(',', Values)})",
        SelectionOperator.NotIn => $"{Key} notin ({string.Join(',', Values)})",
        SelectionOperator.Exists => Key,
        _ => "!" + Key,
    };

    private bool Contains(string value)
    {
        foreach (var v in Values)
        {
            if (string.Equals(v, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string? Validate(SelectionOperator op, string[] values)
    {
        switch (op)
        {
            case SelectionOperator.Equals or SelectionOperator.NotEquals when values.Length != 1:
                return $"values: exactly one value is required for operator {op}";
            case SelectionOperator.In or SelectionOperator.NotIn when values.Length == 0:
                return $"values: for 'in', 'notin' operators, values set can't be empty";
            case SelectionOperator.Exists or SelectionOperator.DoesNotExist when values.Length != 0:
                return $"values: values set must be empty for exists and does not exist";
        }

        return values.Select(LabelValidation.ValidateValue).FirstOrDefault(p => p is not null);
    }
}
