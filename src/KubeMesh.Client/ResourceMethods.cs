using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using KubeMesh.Api.Resources;

namespace KubeMesh.Client;

/// <summary>
/// The gRPC methods of one kind's service, built from its descriptor: every kind's service has the same verbs
/// (Create, Get, List, Update, UpdateStatus, Delete, Watch), differing only in message types.
/// </summary>
internal sealed class ResourceMethods
{
    public ResourceMethods(ResourceKind kind)
    {
        Kind = kind;
        Create = Unary(kind, "Create");
        Get = Unary(kind, "Get");
        List = Unary(kind, "List");
        Update = Unary(kind, "Update");
        UpdateStatus = kind.Service.FindMethodByName("UpdateStatus") is null ? null : Unary(kind, "UpdateStatus");
        Delete = Unary(kind, "Delete");
        Watch = Build(kind, "Watch", MethodType.ServerStreaming);
    }

    public ResourceKind Kind { get; }

    public Method<IMessage, IMessage> Create { get; }

    public Method<IMessage, IMessage> Get { get; }

    public Method<IMessage, IMessage> List { get; }

    public Method<IMessage, IMessage> Update { get; }

    /// <summary>Null for kinds without a status sub-resource (ConfigMap, Secret, ...).</summary>
    public Method<IMessage, IMessage>? UpdateStatus { get; }

    public Method<IMessage, IMessage> Delete { get; }

    public Method<IMessage, IMessage> Watch { get; }

    private static Method<IMessage, IMessage> Unary(ResourceKind kind, string name) => Build(kind, name, MethodType.Unary);

    private static Method<IMessage, IMessage> Build(ResourceKind kind, string name, MethodType type)
    {
        MethodDescriptor method = kind.Service.FindMethodByName(name)
            ?? throw new InvalidOperationException($"{kind.Service.FullName} has no method {name}");
        return new Method<IMessage, IMessage>(
            type,
            kind.Service.FullName,
            method.Name,
            ProtoMarshaller.For(method.InputType.Parser),
            ProtoMarshaller.For(method.OutputType.Parser));
    }
}
