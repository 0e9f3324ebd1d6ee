using System.Globalization;

namespace KubeMesh.Api.Serialization;

/// <summary>
/// One problem with one field, worded as Kubernetes' field.Error prints it:
/// <c>spec.template.spec.containers[0].image: Required value</c>.
/// </summary>
public sealed record FieldError(string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";

    public static FieldError Required(string path, string? detail = null) =>
        new(path, detail is null ? "Required value" : $"Required value: {detail}");

    public static FieldError Invalid(string path, object? value, string detail) =>
        new(path, $"Invalid value: {Show(value)}: {detail}");

    public static FieldError NotSupported(string path, object? value, IEnumerable<string> supported) =>
        new(path, $"Unsupported value: {Show(value)}: supported values: {string.Join(", ", supported.Select(s => Show(s)))}");

    public static FieldError Forbidden(string path, string detail) => new(path, $"Forbidden: {detail}");

    public static FieldError Duplicate(string path, object? value) => new(path, $"Duplicate value: {Show(value)}");

    public static FieldError TooLong(string path, object? value, int maxLength) =>
        new(path, $"Too long: may not be more than {maxLength} bytes");

    public static FieldError Immutable(string path, object? value) => Invalid(path, value, "field is immutable");

    /// <summary>Quotes strings and prints numbers bare, as Go's %q/%v do in Kubernetes messages.</summary>
    public static string Show(object? value) => value switch
    {
        null => "null",
        string s => Quote(s),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IReadOnlyDictionary<string, string> map =>
            "{" + string.Join(", ", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{Quote(p.Key)}: {Quote(p.Value)}")) + "}",
        _ => value.ToString() ?? "",
    };

    private static string Quote(string s) =>
        "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
