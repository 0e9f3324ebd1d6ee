using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMesh.Kmctl.Printing;

/// <summary>
/// Writes a JSON tree as YAML in the block style kubectl prints (sequences not indented under their key,
/// literal blocks for multi-line strings, quotes only where a plain scalar would read as something else).
/// </summary>
public static class YamlEmitter
{
    public static string Emit(JsonNode? node)
    {
        var text = new StringBuilder();
        WriteValue(text, node, 0, inSequence: false);
        return text.ToString();
    }

    private static void WriteValue(StringBuilder text, JsonNode? node, int indent, bool inSequence)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count > 0:
                var first = true;
                foreach (var (key, value) in obj)
                {
                    if (!(first && inSequence))
                    {
                        text.Append(' ', indent);
                    }

                    first = false;
                    text.Append(Scalar(key)).Append(':');
                    WriteChild(text, value, indent);
                }

                break;
            case JsonArray array when array.Count > 0:
                foreach (var item in array)
                {
                    text.Append(' ', indent).Append("- ");
                    if (item is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
                    {
                        if (item is JsonArray)
                        {
                            text.Append('\n');
                            WriteValue(text, item, indent + 2, inSequence: false);
                        }
                        else
                        {
                            WriteValue(text, item, indent + 2, inSequence: true);
                        }
                    }
                    else
                    {
                        text.Append(Inline(item, indent + 2)).Append('\n');
                    }
                }

                break;
            default:
                text.Append(Inline(node, indent)).Append('\n');
                break;
        }
    }

    private static void WriteChild(StringBuilder text, JsonNode? value, int indent)
    {
        switch (value)
        {
            case JsonObject { Count: > 0 }:
                text.Append('\n');
                WriteValue(text, value, indent + 2, inSequence: false);
                break;
            case JsonArray { Count: > 0 }:
                text.Append('\n');
                WriteValue(text, value, indent, inSequence: false);
                break;
            default:
                text.Append(' ').Append(Inline(value, indent + 2)).Append('\n');
                break;
        }
    }

    private static string Inline(JsonNode? node, int indent) => node switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => StringScalar(v.GetValue<string>(), indent),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>() ? "true" : "false",
        _ => node.ToJsonString(),
    };

    private static string StringScalar(string value, int indent)
    {
        if (value.Contains('\n'))
        {
            var chomp = value.EndsWith('\n') ? "" : "-";
            var lines = value.TrimEnd('\n').Split('\n');
            var pad = new string(' ', indent);
            return $"|{chomp}\n" + string.Join("\n", lines.Select(l => l.Length == 0 ? "" : pad + l));
        }

        return Scalar(value);
    }

    private static string Scalar(string value) => NeedsQuotes(value) ? JsonSerializer.Serialize(value) : value;

    private static bool NeedsQuotes(string value)
    {
        if (value.Length == 0 || value != value.Trim())
        {
            return true;
        }

        if (value is "true" or "false" or "True" or "False" or "TRUE" or "FALSE" or "yes" or "no" or "Yes" or "No" or "on" or "off"
            or "On" or "Off" or "y" or "n" or "Y" or "N" or "null" or "Null" or "NULL" or "~")
        {
            return true;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || value.StartsWith("0x", StringComparison.Ordinal)
            || value is ".inf" or "-.inf" or ".nan" or ".Inf" or ".NaN")
        {
            return true;
        }

        // Timestamps would read back as YAML timestamps, so go-yaml quotes them, as kubectl's output shows.
        if (value.Length >= 10 && char.IsAsciiDigit(value[0]) && value[4] == '-' && value[7] == '-')
        {
            return true;
        }

        return "-?:,[]{}#&*!|>'\"%@`".Contains(value[0]) || value.Contains(": ") || value.Contains(" #")
            || value.EndsWith(':') || value.Any(char.IsControl);
    }
}
