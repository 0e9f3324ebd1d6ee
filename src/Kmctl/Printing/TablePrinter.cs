using Google.Protobuf;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Printing.Tables;

namespace KubeMesh.Kmctl.Printing;

/// <summary>Prints objects of one kind as kubectl's human-readable table.</summary>
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

        headers.AddRange(table.Headers);
        if (options.Wide)
        {
            headers.AddRange(table.WideHeaders);
        }

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

        if (table.HasNameColumn)
        {
            row.Add(options.WithKind ? ObjectNames.Qualified(kind, meta.Name) : meta.Name);
        }

        row.AddRange(table.Cells(obj, options.Wide, now));
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
}
