using Google.Protobuf;
using KubeMesh.Api.Printing;
using KubeMesh.Api.Resources;

namespace KubeMesh.Kmctl.Printing;

/// <summary>
/// Prints objects of one kind as kubectl's human-readable table, from the same table definitions the api-server
/// serves kubectl: columns of priority above 0 only with -o wide, NAMESPACE first with -A, label columns last.
/// </summary>
public static class TablePrinter
{
    public static string Print(ResourceKind kind, IEnumerable<IMessage> objects, TableOptions options, DateTimeOffset now)
    {
        var table = TableDefinitions.For(kind);
        List<IReadOnlyList<string>> rows = [];
        if (!options.NoHeaders)
        {
            rows.Add(Headers(table, options));
        }

        rows.AddRange(objects.Select(o => Row(kind, table, o, options, now)));
        return TableWriter.Format(rows);
    }

    public static IReadOnlyList<string> Headers(TableDefinition table, TableOptions options)
    {
        List<string> headers = [];
        if (options.WithNamespace)
        {
            headers.Add("NAMESPACE");
        }

        headers.AddRange(table.Columns.Where(c => Shown(c, options)).Select(c => c.Name.ToUpperInvariant()));
        headers.AddRange(options.LabelColumns?.Select(Labels.ColumnHeader) ?? []);
        if (options.ShowLabels)
        {
            headers.Add("LABELS");
        }

        return headers;
    }

    public static IReadOnlyList<string> Row(ResourceKind kind, TableDefinition table, IMessage obj, TableOptions options, DateTimeOffset now)
    {
        var meta = kind.Metadata(obj);
        List<string> row = [];
        if (options.WithNamespace)
        {
            row.Add(meta.Namespace);
        }

        var cells = table.Cells(obj, now);
        for (var i = 0; i < table.Columns.Count; i++)
        {
            var column = table.Columns[i];
            if (Shown(column, options))
            {
                row.Add(column.Format == "name" && options.WithKind ? ObjectNames.Qualified(kind, cells[i]) : cells[i]);
            }
        }

        foreach (var key in options.LabelColumns ?? [])
        {
            row.Add(meta.Labels.TryGetValue(key, out var value) ? value : "");
        }

        if (options.ShowLabels)
        {
            row.Add(Labels.Format(meta.Labels));
        }

        return row;
    }

    private static bool Shown(TableColumn column, TableOptions options) => column.Priority == 0 || options.Wide;
}
