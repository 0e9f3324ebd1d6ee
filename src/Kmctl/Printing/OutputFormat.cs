using System.Text;
using System.Text.Json.Nodes;
using KubeMesh.Kmctl.Cli;

namespace KubeMesh.Kmctl.Printing;

/// <summary>The -o flag: human table (default), wide, yaml, json, name, jsonpath=TEMPLATE or custom-columns=SPEC.</summary>
public sealed record OutputFormat(OutputKind Kind)
{
    /// <summary>The template of jsonpath=...</summary>
    public JsonPath? Template { get; private init; }

    /// <summary>The columns of custom-columns=HEADER:PATH,...</summary>
    public IReadOnlyList<(string Header, JsonPath Path)> Columns { get; private init; } = [];

    public static OutputFormat Parse(string? value)
    {
        switch (value)
        {
            case null or "":
                return new(OutputKind.Table);
            case "wide":
                return new(OutputKind.Wide);
            case "yaml":
                return new(OutputKind.Yaml);
            case "json":
                return new(OutputKind.Json);
            case "name":
                return new(OutputKind.Name);
            case "jsonpath":
                throw new CommandException("error: template format specified but no template given");
            case "custom-columns":
                throw new CommandException("error: custom-columns format specified but no custom columns given");
        }

        if (value.StartsWith("jsonpath=", StringComparison.Ordinal))
        {
            var template = value["jsonpath=".Length..];
            return template.Length == 0
                ? throw new CommandException("error: template format specified but no template given")
                : new(OutputKind.JsonPath) { Template = JsonPath.Parse(template) };
        }

        if (value.StartsWith("custom-columns=", StringComparison.Ordinal))
        {
            var columns = new List<(string, JsonPath)>();
            foreach (var spec in value["custom-columns=".Length..].Split(','))
            {
                var parts = spec.Split(':', 2);
                if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Trim().Length == 0)
                {
                    throw new CommandException($"error: unexpected custom-columns spec: {spec}, expected <header>:<json-path-expr>");
                }

                columns.Add((parts[0], JsonPath.ParseRelaxed(parts[1])));
            }

            return new(OutputKind.CustomColumns) { Columns = columns };
        }

        throw new CommandException(
            $"error: unable to match a printer suitable for the output format \"{value}\", allowed formats are: custom-columns,json,jsonpath,name,wide,yaml");
    }

    /// <summary>yaml or json of one node (an object, or a List of them).</summary>
    public string Render(JsonNode node) => Kind == OutputKind.Json ? ObjectPrinter.Json(node) : ObjectPrinter.Yaml(node);

    /// <summary>jsonpath's output for the document (an object, or a List of them), as kubectl prints it: no newline added.</summary>
    public string RenderTemplate(JsonNode document) => Template!.Execute(document);

    /// <summary>custom-columns' table of the objects, each column's values joined by commas, &lt;none&gt; for none.</summary>
    public string RenderColumns(IEnumerable<JsonNode> objects, bool noHeaders)
    {
        var text = new StringBuilder();
        if (!noHeaders)
        {
            text.Append(string.Join('\t', Columns.Select(c => c.Header))).Append('\n');
        }

        foreach (var obj in objects)
        {
            text.Append(string.Join('\t', Columns.Select(c => c.Path.Values(obj) is { Count: > 0 } values ? string.Join(',', values.Select(JsonPath.Text)) : "<none>"))).Append('\n');
        }

        return new TabWriter(minWidth: 6, padding: 3).Format(text.ToString());
    }
}
