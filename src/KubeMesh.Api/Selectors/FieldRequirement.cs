namespace KubeMesh.Api.Selectors;

/// <summary>One term of a field selector: field = value or field != value.</summary>
public sealed record FieldRequirement(string Field, string Value, bool Negated)
{
    public bool Matches(Func<string, string?> getField) =>
        string.Equals(getField(Field) ?? "", Value, StringComparison.Ordinal) != Negated;

    public override string ToString() => $"{Field}{(Negated ? "!=" : "=")}{FieldSelector.EscapeValue(Value)}";
}
