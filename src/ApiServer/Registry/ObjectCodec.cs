using Google.Protobuf;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Storage;

namespace KubeMesh.ApiServer.Registry;

/// <summary>
/// Turns objects into stored bytes and back. apiVersion, kind and resourceVersion are not stored: the kind
/// is the key's, and the resourceVersion is the store revision of the write, filled in on every read.
/// </summary>
public static class ObjectCodec
{
    /// <summary>
    /// Encodes an object no one else holds, clearing apiVersion, kind and resourceVersion on it rather than on a
    /// copy: a create's or update's own object is encoded this way and, once stored, handed back by <see cref="Stored"/>
    /// instead of being parsed again from the bytes just written.
    /// </summary>
    public static byte[] EncodeOwned(ResourceKind kind, IMessage obj)
    {
        kind.Metadata(obj).ResourceVersion = "";
        kind.ClearTypeMeta(obj);
        return obj.ToByteArray();
    }

    /// <summary>An object encoded by <see cref="EncodeOwned"/> as a read of it at <paramref name="revision"/> returns it.</summary>
    public static IMessage Stored(ResourceKind kind, IMessage obj, long revision)
    {
        kind.Metadata(obj).ResourceVersion = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        kind.SetTypeMeta(obj);
        return obj;
    }

    public static IMessage Decode(ResourceKind kind, ReadOnlyMemory<byte> data, long revision) =>
        Stored(kind, kind.Parse(data.Span), revision);

    public static IMessage Decode(ResourceKind kind, StoredObject stored) => Decode(kind, stored.Data, stored.Revision);
}
