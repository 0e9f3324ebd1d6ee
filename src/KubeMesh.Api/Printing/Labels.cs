namespace KubeMesh.Api.Printing;

/// <summary>Label maps as kubectl prints them (labels.FormatLabels): sorted "k=v,k2=v2", or "&lt;none&gt;".</summary>
public static class Labels
{
    public static string Format(IEnumerable<KeyValuePair<string, string>>? labels)
    {
        var pairs = labels?.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}").ToList() ?? [];
        return pairs.Count == 0 ? "<none>" : string.Join(",", pairs);
    }

    /// <summary>The header of a -L column: the key's last path segment, upper-cased (app.kubernetes.io/name -> NAME).</summary>
    public static string ColumnHeader(string key) => key[(key.LastIndexOf('/') + 1)..].ToUpperInvariant();
}
