using System.Globalization;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>One line of a container's output: when it was written, on which stream, and its text.</summary>
public sealed record LogLine(DateTimeOffset Time, string Stream, string Text)
{
    public string Format() =>
        $"{Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)} {Stream} F {Text}";

    public static LogLine Parse(string raw)
    {
        var parts = raw.Split(' ', 4);
        if (parts.Length == 4 && DateTimeOffset.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return new LogLine(time, parts[1], parts[3]);
        }

        return new LogLine(DateTimeOffset.MinValue, "stdout", raw);
    }
}
