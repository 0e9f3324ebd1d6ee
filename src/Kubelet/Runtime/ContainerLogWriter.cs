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

    public void Write(string stream, string text)
    {
        lock (_lock)
        {
            _writer.WriteLine(new LogLine(DateTimeOffset.UtcNow, stream, text).Format());
        }
    }

    /// <summary>Copies one of the process's pipes into the log until the pipe closes.</summary>
    public async Task PumpAsync(StreamReader source, string stream)
    {
        while (await source.ReadLineAsync() is { } line)
        {
            Write(stream, line);
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
