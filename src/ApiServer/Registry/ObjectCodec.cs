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
    public static byte[] Encode(ResourceKind kind, IMessage obj)
    {
        var copy = obj.Clone();
        var meta = kind.Metadata(copy);
        meta.ResourceVersion = "";
        copy.Descriptor.FindFieldByName("api_version").Accessor.Clear(copy);
        copy.Descriptor.FindFieldByName("kind").Accessor.Clear(copy);
        return copy.ToByteArray();
    }

    public static IMessage Decode(ResourceKind kind, ReadOnlyMemory<byte> data, long revision)
    {
        var obj = kind.Parse(data.Span);
        kind.Metadata(obj).ResourceVersion = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        kind.SetTypeMeta(obj);
        return obj;
    }

    public static IMessage Decode(ResourceKind kind, StoredObject stored) => Decode(kind, stored.Data, stored.Revision);
}
