using System.Globalization;
using System.Text.Json.Nodes;

namespace KubeMesh.Api.Serialization;

/// <summary>
/// A JSON number that keeps its text (a number read into a string field keeps its digits), made without a
/// JsonDocument for the common forms: one JsonDocument per number made a manifest of many numbers slow.
/// </summary>
internal static class JsonNumbers
{
    /// <summary>The number that <paramref name="json"/>, a valid JSON number, stands for.</summary>
    public static JsonNode FromText(string json)
    {
        if (long.TryParse(json, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
            && integer.ToString(CultureInfo.InvariantCulture) == json)
        {
            return JsonValue.Create(integer);
        }

        if (decimal.TryParse(json, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && number.ToString(CultureInfo.InvariantCulture) == json)
        {
            return JsonValue.Create(number);
        }

        return JsonNode.Parse(json)!;
    }
}
