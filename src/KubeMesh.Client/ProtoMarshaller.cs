using Google.Protobuf;
using Grpc.Core;

namespace KubeMesh.Client;

/// <summary>Marshallers for messages known only by their descriptor's parser, so one code path serves every kind.</summary>
internal static class ProtoMarshaller
{
    public static Marshaller<IMessage> For(MessageParser parser) => new(
        (message, context) =>
        {
            context.SetPayloadLength(message.CalculateSize());
            message.WriteTo(context.GetBufferWriter());
            context.Complete();
        },
        context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));
}
