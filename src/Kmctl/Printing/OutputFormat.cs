using System.Text.Json.Nodes;
using KubeMesh.Kmctl.Cli;

namespace KubeMesh.Kmctl.Printing;

/// <summary>The -o flag: human table (default), wide, yaml, json or name.</summary>
public sealed record OutputFormat(OutputKind Kind)
{
    public static OutputFormat Parse(string? value) => value switch
    {
        null or "" => new(OutputKind.Table),
        "wide" => new(OutputKind.Wide),
        "yaml" => new(OutputKind.Yaml),
        "json" => new(OutputKind.Json),
        "name" => new(OutputKind.Name),
        _ => throw new CommandException(
            $"error: unable to match a printer suitable for the output format \"{value}\", allowed formats are: json,name,wide,yaml"),
    };

    public string Render(JsonNode node) => Kind == OutputKind.Json ? ObjectPrinter.Json(node) : ObjectPrinter.Yaml(node);
}
