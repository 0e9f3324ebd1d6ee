namespace KubeMesh.ApiServer.Storage;

/// <summary>One entry of a kind's watch log. Previous is set for MODIFIED so selector transitions can be computed.</summary>
public sealed record StoreEvent(string Type, long Revision, ReadOnlyMemory<byte> Object, ReadOnlyMemory<byte>? Previous)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
    public const string Bookmark = "BOOKMARK";

    /// <summary>Parses "rev\nTYPE\nprevLen\n" + prev + object, as the write script builds it.</summary>
    public static StoreEvent Parse(ReadOnlyMemory<byte> entry)
    {
        var span = entry.Span;
        var a = span.IndexOf((byte)'\n');
        var b = a + 1 + span[(a + 1)..].IndexOf((byte)'\n');
        var c = b + 1 + span[(b + 1)..].IndexOf((byte)'\n');
        var revision = long.Parse(span[..a]);
        var type = System.Text.Encoding.ASCII.GetString(span[(a + 1)..b]);
        var prevLength = int.Parse(span[(b + 1)..c]);
        var body = entry[(c + 1)..];
        return type == Modified
            ? new StoreEvent(type, revision, body[prevLength..], body[..prevLength])
            : new StoreEvent(type, revision, body, null);
    }
}
