using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace KubeMesh.ApiServer.Services;

/// <summary>
/// A response message many streams send unchanged (one watch event to every watcher of it), serialized at most once:
/// the gRPC marshaller writes <see cref="Bytes"/> as they are, as kube-apiserver's watch cache encodes an event once
/// per encoding rather than once per watcher. Code that reads the message's fields takes <see cref="Message"/>.
/// </summary>
public sealed class EncodedMessage(IMessage message) : IMessage
{
    private byte[]? _bytes;

    public IMessage Message => message;

    /// <summary>The wire form; two threads asking first may both encode, and both get the same bytes.</summary>
    public byte[] Bytes
    {
        get
        {
            var bytes = Volatile.Read(ref _bytes);
            if (bytes is null)
            {
                bytes = message.ToByteArray();
                bytes = Interlocked.CompareExchange(ref _bytes, bytes, null) ?? bytes;
            }

            return bytes;
        }
    }

    public MessageDescriptor Descriptor => message.Descriptor;

    public static IMessage Unwrap(IMessage m) => m is EncodedMessage encoded ? encoded.Message : m;

    public int CalculateSize() => Bytes.Length;

    public void WriteTo(CodedOutputStream output) => message.WriteTo(output);

    public void MergeFrom(CodedInputStream input) => throw new NotSupportedException("a message shared between streams is never changed");
}
