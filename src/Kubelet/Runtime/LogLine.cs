using System.Globalization;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// One record of a container's output: when it was written, on which stream, and its text. A partial record
/// (CRI's tag P) is output not ended by a newline yet; the records after it on its stream continue the line.
/// <see cref="ContainerLogWriter"/> writes them.
/// </summary>
public sealed record LogLine(DateTimeOffset Time, string Stream, string Text, bool Partial = false)
{
    public static LogLine Parse(string raw)
    {
        var parts = raw.Split(' ', 4);
        if (parts.Length == 4 && DateTimeOffset.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return new LogLine(time, parts[1], parts[3], parts[2] == "P");
        }

        return new LogLine(DateTimeOffset.MinValue, "stdout", raw);
    }
}
