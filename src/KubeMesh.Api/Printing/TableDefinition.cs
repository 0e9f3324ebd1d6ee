using Google.Protobuf;

namespace KubeMesh.Api.Printing;

/// <summary>
/// The table `get` shows for one kind (kube's printers): its columns in order, and one row of formatted cells per
/// object. The api-server serves it as a meta.k8s.io Table for kubectl; kmctl prints the same rows itself.
/// </summary>
public abstract class TableDefinition
{
    public abstract IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>Every column's cell (the wide ones too), in column order; ages are relative to <paramref name="now"/>.</summary>
    public abstract IReadOnlyList<string> Cells(IMessage obj, DateTimeOffset now);
}

/// <summary>A table for one message type.</summary>
public abstract class TableDefinition<T> : TableDefinition
    where T : IMessage
{
    public sealed override IReadOnlyList<string> Cells(IMessage obj, DateTimeOffset now) => Cells((T)obj, now);

    protected abstract IReadOnlyList<string> Cells(T obj, DateTimeOffset now);

    protected static string OrNone(string? value) => string.IsNullOrEmpty(value) ? "<none>" : value;
}
