namespace KubeMesh.Kmctl.Manifests;

/// <summary>The text of one -f argument (a file, a file in a directory, or stdin) and the name to report it by.</summary>
public sealed record ManifestSource(string Name, string Text)
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>Reads every -f value: "-" is stdin, a directory gives its .yaml/.yml/.json files in name order.</summary>
    public static IReadOnlyList<ManifestSource> Read(IReadOnlyList<string> paths, TextReader stdin)
    {
        List<ManifestSource> sources = [];
        foreach (var path in paths)
        {
            if (path == "-")
            {
                sources.Add(new ManifestSource("STDIN", stdin.ReadToEnd()));
            }
            else if (Directory.Exists(path))
            {
                sources.AddRange(Directory.EnumerateFiles(path)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .Select(f => new ManifestSource(f, File.ReadAllText(f))));
            }
            else if (File.Exists(path))
            {
                sources.Add(new ManifestSource(path, File.ReadAllText(path)));
            }
            else
            {
                throw new Cli.CommandException($"error: the path \"{path}\" does not exist");
            }
        }

        return sources.Count > 0 ? sources : throw new Cli.CommandException("error: no objects passed to apply");
    }
}
