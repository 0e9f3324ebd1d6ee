using System.Text;
using KubeMesh.Kmctl.Printing;

namespace KubeMesh.Kmctl.Describe;

/// <summary>kubectl's PrefixWriter: lines at indentation levels of two spaces, aligned by a tabwriter (padding 2).</summary>
public sealed class DescriptionWriter
{
    private readonly StringBuilder _text = new();

    public void Line(int level, string text) => _text.Append(new string(' ', level * 2)).Append(text).Append('\n');

    public void Field(int level, string label, string? value) =>
        Line(level, $"{label}:\t{(string.IsNullOrEmpty(value) ? "<none>" : value)}");

    /// <summary>A map as kubectl prints labels: the first pair after the label, the rest under it.</summary>
    public void Map(int level, string label, IEnumerable<KeyValuePair<string, string>>? map)
    {
        var pairs = map?.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}").ToList() ?? [];
        if (pairs.Count == 0)
        {
            Field(level, label, "<none>");
            return;
        }

        Line(level, $"{label}:\t{pairs[0]}");
        foreach (var pair in pairs.Skip(1))
        {
            Line(level, $"\t{pair}");
        }
    }

    public override string ToString() => new TabWriter(minWidth: 0, padding: 2).Format(_text.ToString());
}
