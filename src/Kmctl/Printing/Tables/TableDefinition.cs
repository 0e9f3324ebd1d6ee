using Google.Protobuf;

namespace KubeMesh.Kmctl.Printing.Tables;

/// <summary>The columns kubectl prints for one kind (its server-side table), with the extra -o wide columns.</summary>
public abstract class TableDefinition
{
    public abstract IReadOnlyList<string> Headers { get; }

    public virtual IReadOnlyList<string> WideHeaders => [];

    /// <summary>False where the first header is not NAME (events start with LAST SEEN).</summary>
    public virtual bool HasNameColumn => true;

    /// <summary>The cells after NAME (all cells where there is no NAME column), plus the wide cells when asked.</summary>
    public abstract IReadOnlyList<string> Cells(IMessage obj, bool wide, DateTimeOffset now);
}

/// <summary>A table for one message type.</summary>
public abstract class TableDefinition<T> : TableDefinition
    where T : IMessage
{
    public sealed override IReadOnlyList<string> Cells(IMessage obj, bool wide, DateTimeOffset now) =>
        Cells((T)obj, wide, now);

    protected abstract IReadOnlyList<string> Cells(T obj, bool wide, DateTimeOffset now);

    protected static string OrNone(string? value) => string.IsNullOrEmpty(value) ? "<none>" : value;
}
