using Google.Protobuf;

namespace KubeMesh.Api.Resources;

public static class MessageExtensions
{
    /// <summary>A deep copy of a message whose concrete type is not known at compile time.</summary>
    public static IMessage Clone(this IMessage message) => message.Descriptor.Parser.ParseFrom(message.ToByteString());
}
