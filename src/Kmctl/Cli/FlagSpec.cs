namespace KubeMesh.Kmctl.Cli;

/// <summary>One flag in kubectl's (pflag's) grammar: a long name, an optional one-letter shorthand, and whether it takes a value.</summary>
public sealed record FlagSpec(string Name, char? Shorthand = null, bool TakesValue = true)
{
    public static FlagSpec Value(string name, char? shorthand = null) => new(name, shorthand, true);

    public static FlagSpec Bool(string name, char? shorthand = null) => new(name, shorthand, false);
}
