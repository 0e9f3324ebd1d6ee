namespace KubeMesh.ControllerManager.Controllers.Namespaces;

/// <summary>
/// What one pass over a terminating namespace found (kube's namespace deleter bookkeeping): how many objects of
/// each resource are still there, which finalizers hold them, the deletes that failed, and how long the slowest
/// pod still has to stop.
/// </summary>
internal sealed class NamespaceContent
{
    public SortedDictionary<string, int> Remaining { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, int> Finalizers { get; } = new(StringComparer.Ordinal);

    public List<string> Failures { get; } = [];

    public TimeSpan Estimate { get; set; }

    public bool Empty => Remaining.Count == 0 && Failures.Count == 0;

    public void Count(string resource, IEnumerable<string> finalizers)
    {
        Remaining[resource] = Remaining.GetValueOrDefault(resource) + 1;
        foreach (var finalizer in finalizers)
        {
            Finalizers[finalizer] = Finalizers.GetValueOrDefault(finalizer) + 1;
        }
    }
}
