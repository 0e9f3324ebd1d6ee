namespace KubeMesh.ApiServer.Storage;

/// <summary>
/// One entry of a kind's watch log. Previous is set for MODIFIED so selector transitions can be computed; TraceParent
/// is the W3C traceparent of the write, when it was traced. <see cref="Field"/> is the object's key and PreviousRevision
/// the revision it had before the write (0 for ADDED), so the log can be undone back to an earlier revision; both are
/// unknown (null and -1) in entries written before the log carried them. The key stays bytes of the entry until it is
/// asked for: the watch feeds parse every entry and never need it.
/// </summary>
public sealed record StoreEvent(
    string Type,
    long Revision,
    ReadOnlyMemory<byte> Object,
    ReadOnlyMemory<byte>? Previous,
    string? TraceParent = null,
    ReadOnlyMemory<byte> FieldUtf8 = default,
    long PreviousRevision = -1)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
    public const string Bookmark = "BOOKMARK";

    /// <summary>The object's key ("namespace/name", or the name), or null when the entry does not carry it.</summary>
    public string? Field => FieldUtf8.IsEmpty ? null : System.Text.Encoding.UTF8.GetString(FieldUtf8.Span);

    /// <summary>Parses "rev\nTYPE[ traceparent]\nprevLen[ prevRev field]\n" + prev + object, as the write script builds it.</summary>
    public static StoreEvent Parse(ReadOnlyMemory<byte> entry)
    {
        var span = entry.Span;
        var a = span.IndexOf((byte)'\n');
        var b = a + 1 + span[(a + 1)..].IndexOf((byte)'\n');
        var c = b + 1 + span[(b + 1)..].IndexOf((byte)'\n');
        var revision = long.Parse(span[..a]);
        var typeLine = span[(a + 1)..b];
        var space = typeLine.IndexOf((byte)' ');
        var type = TypeName(space < 0 ? typeLine : typeLine[..space]);
        var traceParent = space < 0 ? null : System.Text.Encoding.ASCII.GetString(typeLine[(space + 1)..]);
        var lengths = span[(b + 1)..c];
        var first = lengths.IndexOf((byte)' ');
        var prevLength = int.Parse(first < 0 ? lengths : lengths[..first]);
        ReadOnlyMemory<byte> field = default;
        long previousRevision = -1;
        if (first >= 0)
        {
            var restStart = b + 1 + first + 1;
            var rest = span[restStart..c];
            var second = rest.IndexOf((byte)' ');
            previousRevision = second > 0 && long.TryParse(rest[..second], out var parsed) ? parsed : -1;
            field = entry[(restStart + second + 1)..c];
        }

        var body = entry[(c + 1)..];
        return type == Modified
            ? new StoreEvent(type, revision, body[prevLength..], body[..prevLength], traceParent, field, previousRevision)
            : new StoreEvent(type, revision, body, null, traceParent, field, previousRevision);
    }

    /// <summary>The interned name, so parsing an event allocates no string for its type.</summary>
    private static string TypeName(ReadOnlySpan<byte> type) =>
        type.SequenceEqual("ADDED"u8) ? Added
        : type.SequenceEqual("MODIFIED"u8) ? Modified
        : type.SequenceEqual("DELETED"u8) ? Deleted
        : System.Text.Encoding.ASCII.GetString(type);
}
