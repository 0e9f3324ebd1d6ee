using System.Text;
using KubeMesh.Kmctl.Cli;

namespace KubeMesh.Kmctl.Commands;

/// <summary>
/// The keys and values of create configmap / create secret generic, gathered from --from-literal, --from-file
/// (a file, KEY=file, or every file of a directory) and --from-env-file, with kubectl's checks and messages.
/// </summary>
public sealed class DataSources(string kind, string name)
{
    private readonly Dictionary<string, byte[]> _data = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, byte[]> Data => _data;

    public static DataSources Gather(ParsedArgs args, string kind, string name)
    {
        var sources = new DataSources(kind, name);
        foreach (var literal in args.Values("from-literal"))
        {
            var eq = literal.IndexOf('=');
            if (eq <= 0)
            {
                throw new CommandException($"error: invalid literal source {literal}, expected key=value");
            }

            sources.Add(literal[..eq], Encoding.UTF8.GetBytes(literal[(eq + 1)..]));
        }

        foreach (var spec in args.Values("from-file"))
        {
            sources.AddFileSource(spec);
        }

        foreach (var path in args.Values("from-env-file"))
        {
            sources.AddEnvFile(path);
        }

        return sources;
    }

    private void AddFileSource(string spec)
    {
        var eq = spec.IndexOf('=');
        var (key, path) = eq > 0 ? (spec[..eq], spec[(eq + 1)..]) : (null, spec);
        if (Directory.Exists(path))
        {
            if (key is not null)
            {
                throw new CommandException("error: cannot give a key name for a directory path");
            }

            foreach (var file in Directory.EnumerateFiles(path).Order(StringComparer.Ordinal))
            {
                Add(Path.GetFileName(file), File.ReadAllBytes(file));
            }

            return;
        }

        if (!File.Exists(path))
        {
            throw new CommandException($"error: error reading {path}: no such file or directory");
        }

        Add(key ?? Path.GetFileName(path), File.ReadAllBytes(path));
    }

    private void AddEnvFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new CommandException($"error: error reading {path}: no such file or directory");
        }

        var lineNumber = 0;
        foreach (var raw in File.ReadAllLines(path))
        {
            lineNumber++;
            var line = raw.TrimStart();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var eq = line.IndexOf('=');
            if (eq == 0)
            {
                throw new CommandException($"error: {path}: line {lineNumber}: key is empty");
            }

            // Like kubectl, a bare KEY takes its value from the environment.
            var (key, value) = eq > 0 ? (line[..eq], line[(eq + 1)..]) : (line, Environment.GetEnvironmentVariable(line) ?? "");
            Add(key, Encoding.UTF8.GetBytes(value));
        }
    }

    private void Add(string key, byte[] value)
    {
        if (!IsValidKey(key))
        {
            throw new CommandException($"error: \"{key}\" is not a valid key name for a {kind}: a valid config key must consist of alphanumeric characters, '-', '_' or '.'");
        }

        if (!_data.TryAdd(key, value))
        {
            throw new CommandException($"error: cannot add key \"{key}\", another key by that name already exists in Data for {kind} \"{name}\"");
        }
    }

    private static bool IsValidKey(string key) =>
        key.Length is > 0 and <= 253 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
