using System.Text;

namespace KubeMesh.ApiServer.Tests.Fuzz;

/// <summary>The ways a manifest's text is broken: by accident (a stray byte, a lost line) or on purpose (aliases, depth).</summary>
public enum MutationKind
{
    ReplaceChar,
    Truncate,
    DuplicateLine,
    DeleteLine,
    SwapLines,
    ShiftIndent,
    InsertToken,
    AnchorAndAlias,
    AliasCycle,
    Laughs,
    DeepFlow,
    DeepBlock,
    OddNumber,
    OddValue,
}

/// <summary>
/// One change to a manifest's text. Positions are fractions of the text (or of its lines) so that a mutation means
/// the same on any manifest and CsCheck can shrink it toward the start; Size is a depth, a count or an indent.
/// </summary>
public sealed record ManifestMutation(MutationKind Kind, double At, double To, int Size, string Token)
{
    public static readonly string[] Tokens =
    [
        ":", "-", "- ", "[", "]", "{", "}", ",", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "#", "?", "~", "<<: ", "---\n",
        "...\n", "\t", "\r\n", "\n", " ", "\0", "\u00e9", "\U0001F600", "\uFFFF", "null", "true", "!!str ", "!!int ", "!!binary ",
        "? ", ": ", "&a ", "*a", "0x", "-.inf", ".nan", "{}", "[]", "\"\\u0000\"", "'''", "\\",
    ];

    public static readonly string[] OddNumbers =
    [
        "99999999999999999999999999", "-1", "0", "-0", "1.5", "1e400", "-1e400", ".inf", ".nan", "0x7FFFFFFFFFFFFFFFFFFF",
        "0777777777777777777777777", "0o17777777777777777777777", "2147483648", "-2147483649", "4294967296", "1_000", "0b101",
        "12:30:45", "2024-01-02", "1.0e+3", "+5",
    ];

    /// <summary>Values that are valid YAML but often not valid where they land: what validation must catch.</summary>
    public static readonly string[] OddValues =
    [
        "\"\"", "x", "-x-", "UPPER", "a/b", "a.b", "..", "*", "\"a b\"", new string('n', 300), "1Gi", "-5m", "999999999Ti", "0.0001m",
        "http", "99999", "0", "-80", "\"80\"", "{}", "[]", "[1, 2]", "{a: 1}", "null", "~", "true", "\"true\"", "Always", "Never",
        "TCP", "udp", "/", "../..", "\"\\u0000\"", "\"\u00e9\u00e9\"", "127.0.0.1", "::1", "300.1.1.1", "\"*/5 * * * *\"", "\"60 * * * *\"",
        "2024-13-45T99:00:00Z", "P1D", "\"1%\"", "\"101%\"", "\"-1%\"",
    ];

    public string Apply(string text)
    {
        var lines = text.Split('\n').ToList();
        int Line(double at) => Math.Min(lines.Count - 1, (int)(at * lines.Count));
        int Pos(double at) => Math.Min(text.Length, (int)(at * text.Length));
        switch (Kind)
        {
            case MutationKind.ReplaceChar when text.Length > 0:
                var at = Math.Min(text.Length - 1, Pos(At));
                return text[..at] + Token + text[(at + 1)..];
            case MutationKind.Truncate:
                return text[..Pos(At)];
            case MutationKind.DuplicateLine:
                lines.Insert(Line(To), lines[Line(At)]);
                break;
            case MutationKind.DeleteLine when lines.Count > 1:
                lines.RemoveAt(Line(At));
                break;
            case MutationKind.SwapLines:
                (lines[Line(At)], lines[Line(To)]) = (lines[Line(To)], lines[Line(At)]);
                break;
            case MutationKind.ShiftIndent:
                var line = lines[Line(At)];
                var shift = (Size % 5) - 2;
                lines[Line(At)] = shift >= 0 ? new string(' ', shift) + line : line[Math.Min(-shift, line.Length - line.TrimStart().Length)..];
                break;
            case MutationKind.InsertToken:
                return text.Insert(Pos(At), Token);
            case MutationKind.AnchorAndAlias:
                // The alias may land before its anchor, inside it, or after it: unknown, a cycle, or a copy.
                var name = "a" + (Size % 3);
                ReplaceValue(lines, Line(At), v => $"&{name} {v}");
                ReplaceValue(lines, Line(To), _ => "*" + name);
                break;
            case MutationKind.AliasCycle:
                var mapping = Line(At);
                lines[mapping] = lines[mapping].TrimEnd() + " &c";
                lines.Insert(mapping + 1, Indent(lines[mapping]) + "  c: *c");
                break;
            case MutationKind.Laughs:
                ReplaceValue(lines, Line(At), _ => Laughs(levels: 2 + (Size % 9), fanout: 2 + (int)(To * 9)));
                break;
            case MutationKind.DeepFlow:
                ReplaceValue(lines, Line(At), _ => new string('[', Size) + "1" + new string(']', Size));
                break;
            case MutationKind.DeepBlock:
                var deep = Line(At);
                lines[deep] = lines[deep].TrimEnd() + "\n" + Indent(lines[deep]) + "  " + string.Concat(Enumerable.Repeat("- ", Size)) + "x";
                break;
            case MutationKind.OddNumber:
                ReplaceValue(lines, Line(At), _ => OddNumbers[Size % OddNumbers.Length]);
                break;
            case MutationKind.OddValue:
                ReplaceValue(lines, Line(At), _ => OddValues[Size % OddValues.Length]);
                break;
        }

        return string.Join('\n', lines);
    }

    public override string ToString() => $"{Kind}(at {At:F3}, to {To:F3}, size {Size}, token {Escape(Token)})";

    /// <summary>An inline billion laughs: each level an anchored list of aliases to the one before.</summary>
    private static string Laughs(int levels, int fanout)
    {
        var text = new StringBuilder($"[&l0 [{string.Join(", ", Enumerable.Repeat("lol", fanout))}]");
        for (var level = 1; level < levels; level++)
        {
            text.Append($", &l{level} [{string.Join(", ", Enumerable.Repeat($"*l{level - 1}", fanout))}]");
        }

        return text.Append(']').ToString();
    }

    /// <summary>Replaces what follows the first ": " of a line (or appends a value after a bare "key:").</summary>
    private static void ReplaceValue(List<string> lines, int index, Func<string, string> value)
    {
        var line = lines[index];
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        lines[index] = colon >= 0
            ? line[..(colon + 2)] + value(line[(colon + 2)..])
            : line.TrimEnd().EndsWith(':') ? line.TrimEnd() + " " + value("") : value(line);
    }

    private static string Indent(string line) => line[..(line.Length - line.TrimStart().Length)];

    private static string Escape(string token) =>
        string.Concat(token.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString()));
}
