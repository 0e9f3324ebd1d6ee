using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>Label selectors: their own validity, and whether they select a given set of labels.</summary>
public static class LabelSelectorValidation
{
    private static readonly string[] Operators = ["In", "NotIn", "Exists", "DoesNotExist"];

    internal static void Validate(string path, LabelSelector selector, ErrorList errors)
    {
        errors.Labels($"{path}.matchLabels", selector.MatchLabels.AsReadOnly());
        for (var i = 0; i < selector.MatchExpressions.Count; i++)
        {
            var requirement = selector.MatchExpressions[i];
            var itemPath = $"{path}.matchExpressions[{i}]";
            errors.Invalid($"{itemPath}.key", requirement.Key, NameValidation.IsQualifiedName(requirement.Key));
            errors.OneOf($"{itemPath}.operator", requirement.Operator, true, Operators);
            if (requirement.Operator is "In" or "NotIn" && requirement.Values.Count == 0)
            {
                errors.Required($"{itemPath}.values", "must be specified when `operator` is 'In' or 'NotIn'");
            }
            else if (requirement.Operator is "Exists" or "DoesNotExist" && requirement.Values.Count > 0)
            {
                errors.Add(FieldError.Forbidden($"{itemPath}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
            }
        }
    }

    public static bool IsEmpty(LabelSelector? selector) =>
        selector is null || (selector.MatchLabels.Count == 0 && selector.MatchExpressions.Count == 0);

    /// <summary>True when every matchLabels pair and every expression holds for <paramref name="labels"/>.</summary>
    public static bool Matches(LabelSelector selector, IDictionary<string, string> labels) =>
        selector.MatchLabels.All(p => labels.TryGetValue(p.Key, out var v) && v == p.Value)
        && selector.MatchExpressions.All(r => r.Operator switch
        {
            "In" => labels.TryGetValue(r.Key, out var v) && r.Values.Contains(v),
            "NotIn" => !labels.TryGetValue(r.Key, out var v) || !r.Values.Contains(v),
            "Exists" => labels.ContainsKey(r.Key),
            "DoesNotExist" => !labels.ContainsKey(r.Key),
            _ => false,
        });
}
