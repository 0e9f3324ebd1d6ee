using System.Globalization;
using System.Text.RegularExpressions;

namespace KubeMesh.Kmctl.Cli;

/// <summary>Go-style durations as kubectl's --timeout takes them: "30s", "5m", "1h30m", "500ms", or a bare number of seconds.</summary>
public static partial class Durations
{
    public static TimeSpan Parse(string? value, TimeSpan fallback, string flag)
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var bare))
        {
            return TimeSpan.FromSeconds(bare);
        }

        var matches = Part().Matches(value);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != value)
        {
            throw new UsageException($"invalid argument \"{value}\" for \"--{flag}\" flag: time: invalid duration \"{value}\"");
        }

        return matches.Aggregate(TimeSpan.Zero, (total, m) =>
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return total + m.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                _ => TimeSpan.FromHours(n),
            };
        });
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h)")]
    private static partial Regex Part();
}
