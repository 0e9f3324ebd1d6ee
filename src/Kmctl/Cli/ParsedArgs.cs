namespace KubeMesh.Kmctl.Cli;

/// <summary>The command line after parsing: positional words, flag values by long name, and what came after "--".</summary>
public sealed class ParsedArgs
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public List<string> Positionals { get; } = [];

    /// <summary>Arguments after a bare "--" (kmctl run NAME --image x -- cmd args).</summary>
    public List<string>? AfterDashes { get; set; }

    /// <summary>Flags in the order given, long names with values, as kubectl records them for --record.</summary>
    public List<(string Name, string Value)> Given { get; } = [];

    public void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out var list))
        {
            _values[name] = list = [];
        }

        list.Add(value);
        Given.Add((name, value));
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? Value(string name) => _values.TryGetValue(name, out var list) ? list[^1] : null;

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var list) ? list : [];

    /// <summary>Repeatable flags whose values may also be comma-separated (-L a,b -L c).</summary>
    public IReadOnlyList<string> CommaValues(string name) =>
        Values(name).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

    public bool Bool(string name)
    {
        var value = Value(name);
        return value switch
        {
            null => false,
            "true" or "True" or "1" or "t" or "T" or "TRUE" => true,
            "false" or "False" or "0" or "f" or "F" or "FALSE" => false,
            _ => throw new UsageException($"invalid argument \"{value}\" for \"--{name}\" flag: strconv.ParseBool: parsing \"{value}\": invalid syntax"),
        };
    }

    public int? Int(string name)
    {
        var value = Value(name);
        if (value is null)
        {
            return null;
        }

        return int.TryParse(value, out var n)
            ? n
            : throw new UsageException($"invalid argument \"{value}\" for \"--{name}\" flag: strconv.ParseInt: parsing \"{value}\": invalid syntax");
    }
}
