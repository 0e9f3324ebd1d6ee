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
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => descriptor.Parser.ParseFrom(context.PayloadAsReadOnlySequence()));
}
