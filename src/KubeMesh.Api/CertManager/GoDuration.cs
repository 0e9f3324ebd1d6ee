using System.Globalization;
using System.Text;

namespace KubeMesh.Api.CertManager;

/// <summary>
/// Go's time.Duration text, as cert-manager's duration fields carry it (metav1.Duration): "2160h", "1h30m",
/// "59m55s", "1.5h", "300ms"; Format writes what Go's String writes ("2160h0m0s").
/// </summary>
public static class GoDuration
{
    // Go's largest duration is about 2,562,047 hours; anything longer overflows time.Duration.
    private static readonly TimeSpan Max = TimeSpan.FromHours(2_562_047);

    public static bool TryParse(string? text, out TimeSpan duration, out string error)
    {
        duration = TimeSpan.Zero;
        error = "";
        if (string.IsNullOrEmpty(text))
        {
            error = "time: invalid duration \"\"";
            return false;
        }

        var s = text.AsSpan();
        var negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s is "0")
        {
            return true;
        }

        decimal total = 0;
        while (s.Length > 0)
        {
            var numberLength = 0;
            while (numberLength < s.Length && (char.IsAsciiDigit(s[numberLength]) || s[numberLength] == '.'))
            {
                numberLength++;
            }

            var unitLength = 0;
            while (numberLength + unitLength < s.Length && !char.IsAsciiDigit(s[numberLength + unitLength]) && s[numberLength + unitLength] != '.')
            {
                unitLength++;
            }

            if (numberLength == 0 || !decimal.TryParse(s[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"time: invalid duration \"{text}\"";
                return false;
            }

            var unit = s.Slice(numberLength, unitLength);
            if (unit.Length == 0)
            {
                error = $"time: missing unit in duration \"{text}\"";
                return false;
            }

            decimal? ticksPerUnit = unit switch
            {
                "ns" => 0.01m,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => null,
            };
            if (ticksPerUnit is null)
            {
                error = $"time: unknown unit \"{unit}\" in duration \"{text}\"";
                return false;
            }

            total += number * ticksPerUnit.Value;
            if (total > Max.Ticks)
            {
                error = $"time: invalid duration \"{text}\"";
                return false;
            }

            s = s[(numberLength + unitLength)..];
        }

        duration = TimeSpan.FromTicks((long)(negative ? -total : total));
        return true;
    }

    /// <summary>Go's Duration.String: "2160h0m0s", "1m30s", "1.5s", "300ms", "0s".</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        if (duration < TimeSpan.Zero)
        {
            text.Append('-');
            duration = duration.Negate();
        }

        var culture = CultureInfo.InvariantCulture;
        if (duration < TimeSpan.FromSeconds(1))
        {
            var (value, unit) = duration.Ticks >= TimeSpan.TicksPerMillisecond
                ? (duration.Ticks / (decimal)TimeSpan.TicksPerMillisecond, "ms")
                : (duration.Ticks / (decimal)TimeSpan.TicksPerMicrosecond, "µs");
            return text.Append(value.ToString("0.#########", culture)).Append(unit).ToString();
        }

        var hours = (long)duration.TotalHours;
        if (hours > 0)
        {
            text.Append(hours.ToString(culture)).Append('h');
        }

        if (hours > 0 || duration.Minutes > 0)
        {
            text.Append(duration.Minutes.ToString(culture)).Append('m');
        }

        var seconds = duration.Seconds + (duration.Ticks % TimeSpan.TicksPerSecond / (decimal)TimeSpan.TicksPerSecond);
        return text.Append(seconds.ToString("0.#######", culture)).Append('s').ToString();
    }
}
