using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Selectors;

namespace KubeMesh.Kubelet.Nodes;

/// <summary>
/// The kubelet's --node-labels ("key=value,...") and --register-with-taints ("key=value:Effect,..."), parsed once at
/// startup; a malformed entry stops the kubelet with the setting's name and the entry.
/// </summary>
public static class NodeRegistrationSettings
{
    private static readonly string[] Effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    /// <exception cref="FormatException">An entry is not key=value or its key or value is not a valid label.</exception>
    public static IReadOnlyDictionary<string, string> ParseLabels(string? text, string setting = "Kubelet:NodeLabels")
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in Entries(text))
        {
            var (key, value) = SplitKeyValue(entry, setting);
            labels[key] = value;
        }

        return labels;
    }

    /// <exception cref="FormatException">An entry is not key[=value]:Effect with a valid key, value and effect.</exception>
    public static IReadOnlyList<Taint> ParseTaints(string? text, string setting = "Kubelet:RegisterWithTaints")
    {
        var taints = new List<Taint>();
        foreach (var entry in Entries(text))
        {
            var colon = entry.LastIndexOf(':');
            var effect = colon < 0 ? "" : entry[(colon + 1)..];
            if (!Effects.Contains(effect))
            {
                throw new FormatException($"{setting}: Invalid value: \"{entry}\": the effect must be one of {string.Join(", ", Effects)} (key=value:Effect)");
            }

            var keyValue = entry[..colon];
            var (key, value) = keyValue.Contains('=') ? SplitKeyValue(keyValue, setting) : (CheckKey(keyValue, entry, setting), "");
            taints.Add(new Taint { Key = key, Value = value, Effect = effect });
        }

        return taints;
    }

    private static IEnumerable<string> Entries(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static (string Key, string Value) SplitKeyValue(string entry, string setting)
    {
        var equals = entry.IndexOf('=');
        if (equals < 0)
        {
            throw new FormatException($"{setting}: Invalid value: \"{entry}\": must be key=value");
        }

        var key = CheckKey(entry[..equals], entry, setting);
        var value = entry[(equals + 1)..];
        if (LabelValidation.ValidateValue(value) is { } error)
        {
            throw new FormatException($"{setting}: Invalid value: \"{entry}\": {error}");
        }

        return (key, value);
    }

    private static string CheckKey(string key, string entry, string setting) =>
        LabelValidation.ValidateKey(key) is { } error ? throw new FormatException($"{setting}: Invalid value: \"{entry}\": {error}") : key;
}
