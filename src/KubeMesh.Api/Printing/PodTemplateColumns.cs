using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.Api.Printing;

/// <summary>The CONTAINERS, IMAGES and SELECTOR wide columns that every workload kind shares.</summary>
public static class PodTemplateColumns
{
    public static string Containers(PodTemplateSpec? template) =>
        string.Join(",", template?.Spec?.Containers.Select(c => c.Name) ?? []);

    public static string Images(PodTemplateSpec? template) =>
        string.Join(",", template?.Spec?.Containers.Select(c => c.Image) ?? []);

    /// <summary>metav1.FormatLabelSelector: match labels and expressions, or "&lt;none&gt;".</summary>
    public static string Selector(LabelSelector? selector)
    {
        if (selector is null)
        {
            return "<none>";
        }

        var parts = selector.MatchLabels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}").ToList();
        foreach (var e in selector.MatchExpressions)
        {
            parts.Add(e.Operator switch
            {
                "In" => $"{e.Key} in ({string.Join(",", e.Values)})",
                "NotIn" => $"{e.Key} notin ({string.Join(",", e.Values)})",
                "Exists" => e.Key,
                "DoesNotExist" => "!" + e.Key,
                _ => $"{e.Key} {e.Operator} ({string.Join(",", e.Values)})",
            });
        }

        return parts.Count == 0 ? "<none>" : string.Join(",", parts);
    }
}
