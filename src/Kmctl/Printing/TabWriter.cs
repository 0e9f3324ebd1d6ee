using System.Text;

namespace KubeMesh.Kmctl.Printing;

/// <summary>
/// Go's text/tabwriter (no flags, space padding), which kubectl prints every table and description through:
/// a column is aligned across the consecutive lines that have a tab-terminated cell in it, and a line with
/// fewer cells ends that block.
/// </summary>
public sealed class TabWriter(int minWidth, int padding)
{
    private readonly List<int> _widths = [];
    private List<string[]> _lines = [];
    private StringBuilder _output = new();

    public string Format(string text)
    {
        var trailingNewline = text.EndsWith('\n');
        _lines = (trailingNewline ? text[..^1] : text).Split('\n').Select(l => l.Split('\t')).ToList();
        _output = new StringBuilder();
        _widths.Clear();
        FormatBlock(0, _lines.Count);
        var result = _output.ToString();
        return trailingNewline ? result : result[..^1];
    }

    private void FormatBlock(int line0, int line1)
    {
        var column = _widths.Count;
        for (var current = line0; current < line1; current++)
        {
            if (column >= _lines[current].Length - 1)
            {
                continue;
            }

            WriteLines(line0, current);
            line0 = current;
            var width = minWidth;
            for (; current < line1; current++)
            {
                var line = _lines[current];
                if (column >= line.Length - 1)
                {
                    break;
                }

                width = Math.Max(width, line[column].Length + padding);
            }

            _widths.Add(width);
            FormatBlock(line0, current);
            _widths.RemoveAt(_widths.Count - 1);
            line0 = current;
        }

        WriteLines(line0, line1);
    }

    private void WriteLines(int line0, int line1)
    {
        for (var i = line0; i < line1; i++)
        {
            var line = _lines[i];
            for (var j = 0; j < line.Length; j++)
            {
                _output.Append(j < _widths.Count ? line[j].PadRight(_widths[j]) : line[j]);
            }

            _output.Append('\n');
        }
    }
}
