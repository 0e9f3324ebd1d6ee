using Grpc.Core;
using Grpc.Core.Interceptors;
using System.Security.Cryptography.X509Certificates;

namespace KubeMesh.Kubelet.Server;

/// <summary>
/// Lets only the api-server use the kubelet's API (exec, logs): the TLS handshake already required a client certificate
/// from the cluster CA; this admits only the users named in Kubelet:Tls:AuthorizedClients (the api-server's
/// kube-apiserver-kubelet-client), where a kubelet asks the api-server to authorize nodes/proxy.
/// </summary>
public sealed class KubeletClientAuthorizer(KubeletTlsOptions options) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authorize(ServerCallContext context)
    {
        var user = context.GetHttpContext().Connection.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, false);
        if (user is null)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "the kubelet API needs a client certificate"));
        }

        if (!options.Admits(user))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"user \"{user}\" may not use the kubelet API"));
        }
    }
}
