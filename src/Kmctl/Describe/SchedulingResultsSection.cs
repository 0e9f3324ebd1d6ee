using System.Globalization;
using System.Text.Json;

namespace KubeMesh.Kmctl.Describe;

/// <summary>
/// The scheduler's recorded decision for a pod (written on request, in kube-scheduler-simulator's annotation
/// format: JSON maps node → plugin → filter verdict or score), as `describe pod` shows it: the node chosen, then one
/// row per node with the filter plugins that rejected it (or "passed") and its final score with each plugin's part,
/// best node first. The annotations themselves are left out of the Annotations section; `get -o yaml` has them.
/// </summary>
public static class SchedulingResultsSection
{
    public const string Prefix = "kube-scheduler-simulator.sigs.k8s.io/";
    private const string FilterKey = Prefix + "filter-result";
    private const string FinalScoreKey = Prefix + "finalscore-result";
    private const string BindKey = Prefix + "bind-result";
    private const string SelectedNodeKey = Prefix + "selected-node";
    private const string Passed = "passed";

    public static bool IsResultAnnotation(string key) => key.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Writes the section when the pod carries results; a value that is not the simulator's JSON is shown as it is.</summary>
    public static void Write(DescriptionWriter w, IReadOnlyDictionary<string, string>? annotations)
    {
        if (annotations is null || !annotations.TryGetValue(FilterKey, out var filterJson))
        {
            return;
        }

        w.Line(0, "Scheduling Results:");
        annotations.TryGetValue(SelectedNodeKey, out var selected);
        w.Field(1, "Selected Node", selected);
        var filter = Parse(filterJson);
        var scores = annotations.TryGetValue(FinalScoreKey, out var scoreJson) ? Parse(scoreJson) : new();
        if (filter is null || scores is null)
        {
            w.Field(1, "Unreadable", "the annotations are not kube-scheduler-simulator's JSON; see `get pod -o yaml`");
            return;
        }

        if (annotations.TryGetValue(BindKey, out var bindJson) && ParseFlat(bindJson) is { Count: > 0 } bind)
        {
            w.Field(1, "Bind", string.Join(", ", bind.Select(p => $"{p.Key}: {p.Value}")));
        }

        var rows = filter.Keys.Union(scores.Keys, StringComparer.Ordinal)
            .Select(node => (Node: node, Rejected: Rejections(filter, node), Score: Total(scores, node)))
            .OrderBy(r => r.Rejected.Length > 0)
            .ThenByDescending(r => r.Score ?? long.MinValue)
            .ThenBy(r => r.Node, StringComparer.Ordinal)
            .ToList();
        w.Line(1, "Node\tFilter\tScore");
        foreach (var (node, rejected, total) in rows)
        {
            var score = total is { } sum
                ? $"{sum.ToString(CultureInfo.InvariantCulture)} ({string.Join(", ", scores[node].Select(p => $"{p.Key} {p.Value}"))})"
                : "-";
            w.Line(1, $"{node}{(node == selected ? " *" : "")}\t{(rejected.Length > 0 ? rejected : Passed)}\t{score}");
        }
    }

    private static string Rejections(Dictionary<string, Dictionary<string, string>> filter, string node) =>
        filter.TryGetValue(node, out var byPlugin)
            ? string.Join("; ", byPlugin.Where(p => p.Value != Passed).Select(p => $"{p.Key}: {p.Value}"))
            : "";

    private static long? Total(Dictionary<string, Dictionary<string, string>> scores, string node)
    {
        if (!scores.TryGetValue(node, out var byPlugin) || byPlugin.Count == 0)
        {
            return null;
        }

        long sum = 0;
        foreach (var value in byPlugin.Values)
        {
            sum += long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var score) ? score : 0;
        }

        return sum;
    }

    private static Dictionary<string, Dictionary<string, string>>? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Dictionary<string, string>? ParseFlat(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
