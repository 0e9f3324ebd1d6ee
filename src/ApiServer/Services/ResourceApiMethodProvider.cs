using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Services;

/// <summary>
/// Binds every kind's gRPC service (kubemesh.core.v1.PodService, ...) to the generic <see cref="ResourceApi"/>,
/// the way kube-apiserver installs one generic REST storage per resource.
/// </summary>
public sealed class ResourceApiMethodProvider : IServiceMethodProvider<ResourceApi>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<ResourceApi> context)
    {
        foreach (var kind in ResourceKinds.All)
        {
            foreach (var method in kind.Service.Methods)
            {
                switch (method.Name)
                {
                    case "Create":
                        Unary(context, method, (api, req) => api.CreateAsync(kind, req));
                        break;
                    case "Get":
                        Unary(context, method, (api, req) => api.GetAsync(kind, (GetRequest)req));
                        break;
                    case "List":
                        Unary(context, method, (api, req) => api.ListAsync(kind, (ListRequest)req));
                        break;
                    case "Update":
                        Unary(context, method, (api, req) => api.UpdateAsync(kind, req));
                        break;
                    case "UpdateStatus":
                        Unary(context, method, (api, req) => api.UpdateStatusAsync(kind, req));
                        break;
                    case "Delete":
                        Unary(context, method, (api, req) => api.DeleteAsync(kind, (DeleteRequest)req));
                        break;
                    case "Watch":
                        context.AddServerStreamingMethod(
                            Describe(method, MethodType.ServerStreaming),
                            [],
                            (api, req, stream, call) => api.WatchAsync(kind, (WatchRequest)req, stream, call));
                        break;
                    case "Bind":
                        Unary(context, method, (api, req) => api.Pods.BindAsync((Binding)req));
                        break;
                    case "GetLogs":
                        context.AddServerStreamingMethod(
                            Describe(method, MethodType.ServerStreaming),
                            [],
                            (api, req, stream, call) => api.Pods.GetLogsAsync((PodLogRequest)req, stream, call));
                        break;
                    case "Exec":
                        context.AddServerStreamingMethod(
                            Describe(method, MethodType.ServerStreaming),
                            [],
                            (api, req, stream, call) => api.Pods.ExecAsync((PodExecRequest)req, stream, call));
                        break;
                    case "CreateToken":
                        Unary(context, method, async (api, req) => await api.Tokens.CreateTokenAsync((TokenRequest)req));
                        break;
                    default:
                        throw new InvalidOperationException($"{method.FullName} has no handler");
                }
            }
        }
    }

    private static void Unary(ServiceMethodProviderContext<ResourceApi> context, MethodDescriptor method, Func<ResourceApi, IMessage, Task<IMessage>> handler) =>
        context.AddUnaryMethod(Describe(method, MethodType.Unary), [], (api, req, _) => handler(api, req));

    internal static Method<IMessage, IMessage> Describe(MethodDescriptor method, MethodType type) =>
        new(type, method.Service.FullName, method.Name, Marshaller(method.InputType), Marshaller(method.OutputType));

    // Contextual, as protoc's generated services do: written straight into the HTTP/2 body and parsed from the
    // received sequence, where the byte[] form copied every message once more each way.
    private static Marshaller<IMessage> Marshaller(MessageDescriptor descriptor) =>
        Marshallers.Create<IMessage>(
            (message, context) =>
            {
                if (message is EncodedMessage encoded)
                {
                    context.Complete(encoded.Bytes);
                    return;
                }

                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => Parse(descriptor, context.PayloadAsReadOnlySequence()));

    /// <summary>
    /// A body that is not the method's message (truncated, or nested deeper than protobuf's recursion limit of
    /// 100, as a google.protobuf.Value can be) is the client's mistake: INVALID_ARGUMENT, as kube-apiserver's 400.
    /// </summary>
    private static IMessage Parse(MessageDescriptor descriptor, System.Buffers.ReadOnlySequence<byte> payload)
    {
        try
        {
            return descriptor.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            // Protobuf's own wording for depth advises raising the limit, which only the server could do.
            var reason = e.Message.Contains("levels of nesting", StringComparison.Ordinal)
                ? "it is nested more than 100 levels deep, protobuf's recursion limit"
                : e.Message;
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the request is not a valid {descriptor.FullName}: {reason}"));
        }
    }
}
