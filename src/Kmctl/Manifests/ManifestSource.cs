using System.Text;
using KubeMesh.Api;
using KubeMesh.Api.Serialization;
using KubeMesh.Kmctl.Cli;

namespace KubeMesh.Kmctl.Manifests;

/// <summary>The text of one -f argument (a file, a file in a directory, or stdin) and the name to report it by.</summary>
public sealed record ManifestSource(string Name, string Text)
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>
    /// Reads every -f value: "-" is stdin, a directory gives its .yaml/.yml/.json files in name order. Nothing larger
    /// than a request may carry is read whole: such a file is refused here, as the api-server would refuse it.
    /// </summary>
    public static IReadOnlyList<ManifestSource> Read(IReadOnlyList<string> paths, TextReader stdin)
    {
        List<ManifestSource> sources = [];
        foreach (var path in paths)
        {
            if (path == "-")
            {
                sources.Add(new ManifestSource("STDIN", ReadBounded("STDIN", stdin)));
            }
            else if (Directory.Exists(path))
            {
                sources.AddRange(Directory.EnumerateFiles(path)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .Select(ReadFile));
            }
            else if (File.Exists(path))
            {
                sources.Add(ReadFile(path));
            }
            else
            {
                throw new CommandException($"error: the path \"{path}\" does not exist");
            }
        }

        return sources.Count > 0 ? sources : throw new CommandException("error: no objects passed to apply");
    }

    private static ManifestSource ReadFile(string path)
    {
        var length = new FileInfo(path).Length;
        if (length > ApiLimits.MaxRequestBytes)
        {
            throw TooLarge(path, length);
        }

        // Bounded all the same: a device or a pipe reports no length.
        using var reader = new StreamReader(path);
        return new ManifestSource(path, ReadBounded(path, reader));
    }

    private static string ReadBounded(string name, TextReader reader)
    {
        // A UTF-8 byte is at most one char, so more chars than the limit is more bytes than the limit.
        var text = new StringBuilder();
        var chunk = new char[64 * 1024];
        int count;
        while ((count = reader.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (text.Length + count > ApiLimits.MaxRequestBytes)
            {
                throw TooLarge(name, null);
            }

            text.Append(chunk, 0, count);
        }

        return text.ToString();
    }

    private static CommandException TooLarge(string name, long? bytes) =>
        new($"error: error validating \"{name}\": {ManifestDocuments.TooLarge(bytes)}");
}
