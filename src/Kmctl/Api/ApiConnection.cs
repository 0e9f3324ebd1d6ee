using System.Collections;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.Kmctl.Api;

/// <summary>
/// The api-server as kmctl sees it: untyped create/get/list/update/delete/watch for any kind, driven by the kind's
/// gRPC service descriptor, plus the manifest, discovery and pod-log services.
/// </summary>
public sealed class ApiConnection : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;

    public ApiConnection(string address)
    {
        Address = address;
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
        _invoker = _channel.CreateCallInvoker();
        Manifests = new ManifestService.ManifestServiceClient(_invoker);
        Discovery = new DiscoveryService.DiscoveryServiceClient(_invoker);
        Pods = new PodService.PodServiceClient(_invoker);
    }

    public string Address { get; }

    public ManifestService.ManifestServiceClient Manifests { get; }

    public DiscoveryService.DiscoveryServiceClient Discovery { get; }

    public PodService.PodServiceClient Pods { get; }

    public Task<IMessage> GetAsync(ResourceKind kind, string ns, string name) =>
        UnaryAsync(kind, "Get", new GetRequest { Namespace = kind.Namespaced ? ns : "", Name = name });

    public Task<IMessage> CreateAsync(ResourceKind kind, IMessage obj) => UnaryAsync(kind, "Create", obj);

    public Task<IMessage> UpdateAsync(ResourceKind kind, IMessage obj) => UnaryAsync(kind, "Update", obj);

    public Task<IMessage> DeleteAsync(ResourceKind kind, DeleteRequest request) => UnaryAsync(kind, "Delete", request);

    public async Task<ObjectList> ListAsync(ResourceKind kind, ListRequest request)
    {
        var list = await UnaryAsync(kind, "List", request);
        var items = (IList)kind.ListDescriptor.FindFieldByName("items").Accessor.GetValue(list);
        var meta = kind.ListDescriptor.FindFieldByName("metadata").Accessor.GetValue(list) as ListMeta;
        return new ObjectList(items.Cast<IMessage>().ToList(), meta?.ResourceVersion ?? "");
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        ResourceKind kind, WatchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var method = MethodFor(kind, "Watch");
        using var call = _invoker.AsyncServerStreamingCall(method, null, new CallOptions(cancellationToken: cancellationToken), request);
        var typeField = kind.WatchEventDescriptor.FindFieldByName("type");
        var objectField = kind.WatchEventDescriptor.FindFieldByName("object");
        await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            yield return new WatchEvent((string)typeField.Accessor.GetValue(message), (IMessage)objectField.Accessor.GetValue(message));
        }
    }

    public void Dispose() => _channel.Dispose();

    private async Task<IMessage> UnaryAsync(ResourceKind kind, string name, IMessage request)
    {
        using var call = _invoker.AsyncUnaryCall(MethodFor(kind, name), null, default, request);
        return await call.ResponseAsync;
    }

    private static Method<IMessage, IMessage> MethodFor(ResourceKind kind, string name)
    {
        var descriptor = kind.Service.FindMethodByName(name)
            ?? throw new InvalidOperationException($"{kind.Service.FullName} has no method {name}");
        return new Method<IMessage, IMessage>(
            descriptor.IsServerStreaming ? MethodType.ServerStreaming : MethodType.Unary,
            kind.Service.FullName,
            name,
            MarshallerFor(descriptor.InputType),
            MarshallerFor(descriptor.OutputType));
    }

    private static Marshaller<IMessage> MarshallerFor(MessageDescriptor descriptor) =>
        Marshallers.Create(m => m.ToByteArray(), bytes => descriptor.Parser.ParseFrom(bytes));
}
