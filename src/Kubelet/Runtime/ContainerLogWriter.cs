namespace KubeMesh.Kubelet.Runtime;

/// <summary>Appends a container instance's stdout and stderr lines, in order, to its log file.</summary>
public sealed class ContainerLogWriter : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly Lock _lock = new();

    internal ContainerLogWriter(string path)
    {
        Path = path;
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            AutoFlush = true,
        };
    }

    public string Path { get; }

    public void Write(string stream, string text, bool partial = false)
    {
        lock (_lock)
        {
            _writer.WriteLine(new LogLine(DateTimeOffset.UtcNow, stream, text, partial).Format());
        }
    }

    /// <summary>
    /// Copies one of the process's pipes into the log until the pipe closes. Output without its newline yet is
    /// logged at once as a partial record, as CRI-O's conmon does: a program that prints a last line without a
    /// newline and then waits (`cat` of a one-line file, then `sleep`) shows that line in `logs` right away.
    /// </summary>
    public async Task PumpAsync(StreamReader source, string stream)
    {
        var buffer = new char[16 * 1024];
        int read;
        while ((read = await source.ReadAsync(buffer)) > 0)
        {
            var rest = buffer.AsMemory(0, read);
            for (var newline = rest.Span.IndexOf('\n'); newline >= 0; newline = rest.Span.IndexOf('\n'))
            {
                Write(stream, rest.Span[..newline].TrimEnd('\r').ToString());
                rest = rest[(newline + 1)..];
            }

            if (!rest.IsEmpty)
            {
                Write(stream, rest.ToString(), partial: true);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _writer.Dispose();
        }
    }
}
