using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Api;
using KubeMesh.Kmctl.Cli;
using KubeMesh.Kmctl.Printing;

namespace KubeMesh.Kmctl.Commands;

/// <summary>kubectl label KIND NAME k=v k2- [--overwrite]: refuses to change a value unless --overwrite.</summary>
public sealed class LabelCommand : ICommand
{
    public string Name => "label";

    public IReadOnlyList<FlagSpec> Flags { get; } = [FlagSpec.Bool("overwrite"), FlagSpec.Bool("list")];

    public async Task<int> RunAsync(KmctlContext context, CancellationToken cancellationToken)
    {
        var words = context.Args.Positionals;
        var changes = words.Where(w => w.Contains('=') || (w.EndsWith('-') && w.Length > 1 && !w.Contains('/'))).ToList();
        var targets = ResourceTarget.Parse(words.Except(changes).ToList());
        if (targets.Count == 0 || targets.Any(t => t.Names.Count == 0))
        {
            throw new CommandException("error: resource(s) were provided, but no name was specified");
        }

        var (set, remove) = ParseChanges(changes);
        if (set.Count == 0 && remove.Count == 0 && !context.Args.Bool("list"))
        {
            throw new CommandException("error: at least one label update is required");
        }

        foreach (var target in targets)
        {
            foreach (var name in target.Names)
            {
                var verdict = await Conflicts.RetryAsync(() => LabelAsync(context, target.Kind, name, set, remove));
                await context.Out.WriteLineAsync($"{ObjectNames.Qualified(target.Kind, name)} {verdict}");
            }
        }

        return 0;
    }

    private static async Task<string> LabelAsync(KmctlContext context, ResourceKind kind, string name, Dictionary<string, string> set, List<string> remove)
    {
        var obj = await context.GetAsync(kind, name);
        var labels = kind.Metadata(obj).Labels;
        var before = labels.OrderBy(p => p.Key).ToList();
        foreach (var (key, value) in set)
        {
            if (labels.TryGetValue(key, out var existing) && existing != value && !context.Args.Bool("overwrite"))
            {
                throw new CommandException($"error: '{key}' already has a value ({existing}), and --overwrite is false");
            }

            labels[key] = value;
        }

        foreach (var key in remove)
        {
            if (!labels.Remove(key))
            {
                await context.Err.WriteLineAsync($"label \"{key}\" not found.");
            }
        }

        if (before.SequenceEqual(labels.OrderBy(p => p.Key)))
        {
            return "not labeled";
        }

        await context.Api.UpdateAsync(kind, obj);
        return set.Count == 0 ? "unlabeled" : "labeled";
    }

    private static (Dictionary<string, string> Set, List<string> Remove) ParseChanges(IEnumerable<string> changes)
    {
        Dictionary<string, string> set = new(StringComparer.Ordinal);
        List<string> remove = [];
        foreach (var change in changes)
        {
            var eq = change.IndexOf('=');
            if (eq < 0)
            {
                remove.Add(change[..^1]);
                continue;
            }

            var (key, value) = (change[..eq], change[(eq + 1)..]);
            if (!LabelSyntax.IsValidKey(key))
            {
                throw new CommandException($"error: invalid label spec: {change}");
            }

            if (!LabelSyntax.IsValidValue(value))
            {
                throw new CommandException($"error: invalid label value: \"{change}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
            }

            set[key] = value;
        }

        return (set, remove);
    }
}
