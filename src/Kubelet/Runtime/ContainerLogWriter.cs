using System.Globalization;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// Appends a container instance's stdout and stderr lines, in order, to its log file in the CRI format
/// (<c>time stream P|F text</c>). Lines are formatted straight into one buffered writer and the file is written once
/// per chunk read from a pipe, not once per line: a pod that logs every request it serves must not cost the kubelet
/// a system call and a handful of strings per request.
/// </summary>
public sealed class ContainerLogWriter : IDisposable
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";
    private readonly StreamWriter _writer;
    private readonly Lock _lock = new();
    private bool _disposed;

    internal ContainerLogWriter(string path)
    {
        Path = path;
        _writer = new StreamWriter(
            new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1),
            bufferSize: 16 * 1024);
    }

    public string Path { get; }

    /// <summary>Appends one record and writes it to the file at once.</summary>
    public void Write(string stream, string text, bool partial = false)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            Append(DateTime.UtcNow, stream, text, partial);
            _writer.Flush();
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
            lock (_lock)
            {
                if (_disposed)
                {
                    // The container's record is closed: a stray that kept the pipe past it writes nowhere.
                    return;
                }

                var time = DateTime.UtcNow;
                ReadOnlySpan<char> rest = buffer.AsSpan(0, read);
                for (var newline = rest.IndexOf('\n'); newline >= 0; newline = rest.IndexOf('\n'))
                {
                    Append(time, stream, rest[..newline].TrimEnd('\r'), partial: false);
                    rest = rest[(newline + 1)..];
                }

                if (!rest.IsEmpty)
                {
                    Append(time, stream, rest, partial: true);
                }

                _writer.Flush();
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _writer.Dispose();
        }
    }

    private void Append(DateTime time, string stream, ReadOnlySpan<char> text, bool partial)
    {
        Span<char> stamp = stackalloc char[32];
        time.TryFormat(stamp, out var written, TimeFormat, CultureInfo.InvariantCulture);
        _writer.Write(stamp[..written]);
        _writer.Write(' ');
        _writer.Write(stream);
        _writer.Write(partial ? " P " : " F ");
        _writer.Write(text);
        _writer.Write('\n');
    }
}
