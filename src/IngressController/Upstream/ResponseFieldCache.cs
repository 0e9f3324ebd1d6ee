using System.Collections.Frozen;
using System.Text;

namespace KubeMesh.IngressController.Upstream;

/// <summary>What a response field means to the connection reading it.</summary>
internal enum FieldKind
{
    Header,
    ContentHeader,
    ContentLength,
    TransferEncoding,
    Connection,

    /// <summary>Keep-Alive and Proxy-Connection: about the hop just read, never passed on.</summary>
    HopByHop,
}

/// <summary>
/// The strings of the last response's fields, by position. A pod answers the same fields in the same order on every
/// response of a keep-alive connection, so names and most values (Content-Type, Content-Length, even Date within its
/// second) are the previous response's strings again: reading a response head allocates almost nothing.
/// </summary>
internal sealed class ResponseFieldCache
{
    private const int Capacity = 32;

    private static readonly FrozenSet<string> ContentHeaders = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "Allow", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Location", "Content-MD5",
        "Content-Range", "Content-Type", "Expires", "Last-Modified");

    private readonly Entry[] _entries = new Entry[Capacity];

    public (string Name, FieldKind Kind) Name(int index, ReadOnlySpan<byte> bytes)
    {
        if (index < Capacity && _entries[index].NameBytes is { } cached && bytes.SequenceEqual(cached))
        {
            return (_entries[index].Name!, _entries[index].Kind);
        }

        if (bytes.IsEmpty || bytes.ContainsAnyExcept(HttpTokens.Bytes))
        {
            throw Http1Connection.Invalid("a response header field name is not a token");
        }

        var name = Encoding.Latin1.GetString(bytes);
        var kind = KindOf(name);
        if (index < Capacity)
        {
            _entries[index] = new Entry { NameBytes = bytes.ToArray(), Name = name, Kind = kind };
        }

        return (name, kind);
    }

    public string Value(int index, ReadOnlySpan<byte> bytes)
    {
        if (index < Capacity && _entries[index].ValueBytes is { } cached && bytes.SequenceEqual(cached))
        {
            return _entries[index].Value!;
        }

        var value = Encoding.Latin1.GetString(bytes);
        if (index < Capacity)
        {
            _entries[index].ValueBytes = bytes.ToArray();
            _entries[index].Value = value;
        }

        return value;
    }

    private static FieldKind KindOf(string name) => name switch
    {
        _ when name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) => FieldKind.ContentLength,
        _ when name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) => FieldKind.TransferEncoding,
        _ when name.Equals("Connection", StringComparison.OrdinalIgnoreCase) => FieldKind.Connection,
        _ when name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase) => FieldKind.HopByHop,
        _ when ContentHeaders.Contains(name) => FieldKind.ContentHeader,
        _ => FieldKind.Header,
    };

    private struct Entry
    {
        public byte[]? NameBytes;
        public string? Name;
        public FieldKind Kind;
        public byte[]? ValueBytes;
        public string? Value;
    }
}
