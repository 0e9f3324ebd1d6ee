namespace KubeMesh.Kmctl.Printing;

/// <summary>
/// Aligns cells as kubectl's tabwriter does (minwidth 6, padding 3, spaces): every column but the last is as wide
/// as its widest cell plus three; the last column is not padded.
/// </summary>
public static class TableWriter
{
    public static string Format(IReadOnlyList<IReadOnlyList<string>> rows) =>
        rows.Count == 0 ? "" : new TabWriter(minWidth: 6, padding: 3).Format(string.Concat(rows.Select(r => string.Join("\t", r) + "\n")));
}
