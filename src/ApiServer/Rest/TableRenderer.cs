using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf;
using KubeMesh.Api.Printing;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Rest;

/// <summary>
/// A meta.k8s.io/v1 Table of objects from the kind's shared table definition (the columns kmctl prints): all
/// columns with their priorities, cells already formatted, and each row's object as PartialObjectMetadata
/// (includeObject=Metadata, kubectl's default) so kubectl can add NAMESPACE, --show-labels and -L itself.
/// </summary>
public static class TableRenderer
{
    public static JsonObject Render(ResourceKind kind, IEnumerable<IMessage> objects, string resourceVersion, string includeObject, DateTimeOffset now)
    {
        var table = TableDefinitions.For(kind);
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
            ["columnDefinitions"] = new JsonArray(table.Columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["format"] = c.Format,
                ["description"] = c.Description,
                ["priority"] = c.Priority,
            }).ToArray()),
            ["rows"] = new JsonArray(objects.Select(o => (JsonNode)Row(kind, table, o, includeObject, now)).ToArray()),
        };
    }

    /// <summary>includeObject=None|Metadata|Object, as kube-apiserver takes it.</summary>
    public static string IncludeObject(string? value) => value switch
    {
        null or "" or "Metadata" => "Metadata",
        "None" or "Object" => value,
        _ => throw RestException.BadRequest($"includeObject: Unsupported value: \"{value}\": supported values: \"None\", \"Metadata\", \"Object\""),
    };

    private static JsonObject Row(ResourceKind kind, TableDefinition table, IMessage obj, string includeObject, DateTimeOffset now)
    {
        var cells = table.Cells(obj, now);
        var row = new JsonObject
        {
            ["cells"] = new JsonArray(cells.Select((cell, i) => Cell(table.Columns[i], cell)).ToArray()),
        };
        switch (includeObject)
        {
            case "Metadata":
                row["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = ManifestEncoder.ToJsonNode(kind.Metadata(obj)),
                };
                break;
            case "Object":
                row["object"] = RestObjects.Encode(obj);
                break;
        }

        return row;
    }

    /// <summary>Integer columns carry numbers, as kube's printers put int64 values in their cells.</summary>
    private static JsonNode? Cell(TableColumn column, string cell) =>
        column.Type == "integer" && long.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? JsonValue.Create(number)
            : JsonValue.Create(cell);
}
