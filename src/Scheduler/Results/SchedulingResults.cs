using System.Globalization;
using System.Text.Json;
using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Results;

/// <summary>
/// Every plugin's verdict for one pod's scheduling cycle, per node, recorded as kube-scheduler-simulator's result
/// store records it and written to the pod in its annotation format: JSON maps node → plugin → result, where a
/// filter result is "passed" or the plugin's reason, a score is the plugin's normalized 0-100 score and a final
/// score that score times the plugin's weight. Extension points KubeMesh's framework does not have (pre-filter,
/// post-filter) are written as empty maps, as the simulator writes them for a profile without such plugins.
/// </summary>
public sealed class SchedulingResults
{
    public const string Prefix = "kube-scheduler-simulator.sigs.k8s.io/";
    public const string PreFilterStatusKey = Prefix + "prefilter-result-status";
    public const string FilterKey = Prefix + "filter-result";
    public const string PostFilterKey = Prefix + "postfilter-result";
    public const string ScoreKey = Prefix + "score-result";
    public const string FinalScoreKey = Prefix + "finalscore-result";
    public const string BindKey = Prefix + "bind-result";
    public const string SelectedNodeKey = Prefix + "selected-node";

    /// <summary>A filter plugin's verdict for a node it let through, in the simulator's words.</summary>
    public const string Passed = "passed";

    /// <summary>The bind plugin's verdict when it bound the pod.</summary>
    public const string Success = "success";

    private readonly SortedDictionary<string, SortedDictionary<string, string>> _filter = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, SortedDictionary<string, string>> _score = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, SortedDictionary<string, string>> _finalScore = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, string> _bind = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public string? SelectedNode { get; private set; }

    /// <summary>The recorder of a cycle whose pod asked for its results, or null.</summary>
    public static SchedulingResults? Of(CycleState state) => state.Results;

    public void Attach(CycleState state) => state.Results = this;

    public void Filter(string node, string plugin, Status status) =>
        Set(_filter, node, plugin, status.IsSuccess ? Passed : status.Message);

    public void Score(string node, string plugin, long score, int weight)
    {
        Set(_score, node, plugin, score.ToString(CultureInfo.InvariantCulture));
        Set(_finalScore, node, plugin, (score * weight).ToString(CultureInfo.InvariantCulture));
    }

    public void Bind(string plugin, Status status, string node)
    {
        lock (_lock)
        {
            _bind[plugin] = status.IsSuccess ? Success : status.Message;
            SelectedNode = node;
        }
    }

    /// <summary>The annotations to write on the pod, in the simulator's format.</summary>
    public IReadOnlyDictionary<string, string> ToAnnotations()
    {
        lock (_lock)
        {
            var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [PreFilterStatusKey] = "{}",
                [FilterKey] = JsonSerializer.Serialize(_filter),
                [PostFilterKey] = "{}",
                [ScoreKey] = JsonSerializer.Serialize(_score),
                [FinalScoreKey] = JsonSerializer.Serialize(_finalScore),
                [BindKey] = JsonSerializer.Serialize(_bind),
            };
            if (SelectedNode is { } node)
            {
                annotations[SelectedNodeKey] = node;
            }

            return annotations;
        }
    }

    /// <summary>Copies the results into the pod's annotations; false when it already carries exactly these.</summary>
    public bool ApplyTo(Pod pod)
    {
        var changed = false;
        foreach (var (key, value) in ToAnnotations())
        {
            if (!pod.Metadata.Annotations.TryGetValue(key, out var existing) || existing != value)
            {
                pod.Metadata.Annotations[key] = value;
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>Whether an annotation is one of the results (the scheduler's own writes must not count as pod changes).</summary>
    public static bool IsResultAnnotation(string key) => key.StartsWith(Prefix, StringComparison.Ordinal);

    private void Set(SortedDictionary<string, SortedDictionary<string, string>> table, string node, string plugin, string value)
    {
        lock (_lock)
        {
            if (!table.TryGetValue(node, out var byPlugin))
            {
                table[node] = byPlugin = new SortedDictionary<string, string>(StringComparer.Ordinal);
            }

            byPlugin[plugin] = value;
        }
    }
}
