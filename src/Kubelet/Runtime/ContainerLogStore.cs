using System.Globalization;
using System.Runtime.CompilerServices;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// Container logs on the node, one file per container instance in CRI's format
/// (<c>2026-11-26T09:13:15.123456789Z stdout F text</c>), as /var/log/pods holds them. The current and
/// the previous instance are kept (what <c>logs</c> and <c>logs --previous</c> read); older ones go.
/// </summary>
public sealed class ContainerLogStore(string root)
{
    public string Root { get; } = root;

    public string PathFor(string podUid, string container, int attempt) =>
        Path.Combine(Root, podUid, container, attempt.ToString(CultureInfo.InvariantCulture) + ".log");

    /// <summary>Creates the instance's empty log file and drops instances older than the previous one.</summary>
    public ContainerLogWriter OpenWriter(string podUid, string container, int attempt)
    {
        var path = PathFor(podUid, container, attempt);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        foreach (var old in Attempts(podUid, container).Where(a => a < attempt - 1))
        {
            File.Delete(PathFor(podUid, container, old));
        }

        return new ContainerLogWriter(path);
    }

    /// <summary>
    /// Lines of the current (or previous) instance, the last <paramref name="tail"/> of them when given.
    /// With <paramref name="until"/>, keeps following new lines until that task ends (the container exits).
    /// </summary>
    public async IAsyncEnumerable<LogLine> ReadAsync(string podUid, string container, bool previous = false,
        int? tail = null, Task? until = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var attempts = Attempts(podUid, container).OrderDescending().ToList();
        var index = previous ? 1 : 0;
        if (attempts.Count <= index)
        {
            throw new FileNotFoundException(previous
                ? $"previous terminated container \"{container}\" in pod \"{podUid}\" not found"
                : $"container \"{container}\" in pod \"{podUid}\" has no logs");
        }

        var path = PathFor(podUid, container, attempts[index]);
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = new List<LogLine>();
        while (await reader.ReadLineAsync(cancellationToken) is { } raw)
        {
            lines.Add(LogLine.Parse(raw));
        }

        lines = JoinPartials(lines);
        foreach (var line in tail is { } n ? lines.TakeLast(n) : lines)
        {
            yield return line;
        }

        while (until is not null && !cancellationToken.IsCancellationRequested)
        {
            var done = until.IsCompleted;
            while (await reader.ReadLineAsync(cancellationToken) is { } raw)
            {
                yield return LogLine.Parse(raw);
            }

            if (done)
            {
                yield break;
            }

            await Task.WhenAny(until, Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken));
        }
    }

    /// <summary>
    /// Joins each stream's partial records to the record that ends their line, so that tail counts lines; a line
    /// still open at the end stays partial.
    /// </summary>
    internal static List<LogLine> JoinPartials(IEnumerable<LogLine> records)
    {
        var lines = new List<LogLine>();
        var open = new Dictionary<string, LogLine>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            var line = open.Remove(record.Stream, out var start) ? start with { Text = start.Text + record.Text, Partial = record.Partial } : record;
            if (line.Partial)
            {
                open[record.Stream] = line;
            }
            else
            {
                lines.Add(line);
            }
        }

        lines.AddRange(open.Values.OrderBy(l => l.Time));
        return lines;
    }

    private IEnumerable<int> Attempts(string podUid, string container)
    {
        var directory = Path.Combine(Root, podUid, container);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(directory, "*.log")
            .Select(f => int.TryParse(Path.GetFileNameWithoutExtension(f), out var a) ? a : -1)
            .Where(a => a >= 0);
    }
}
