using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Authentication;
using KubeMesh.ApiServer.Limits;
using KubeMesh.ApiServer.Registry;

namespace KubeMesh.ApiServer.Authorization;

/// <summary>
/// The gRPC API's authentication and authorization: each call becomes the request kube-apiserver would see
/// (PodService/List in namespace N is "list pods in N", UpdateStatus is "update pods/status", Exec is
/// "create pods/exec"; health is /healthz, discovery and reflection /apis) and passes the same
/// <see cref="RequestGate"/> as the REST API, then takes a place under the same <see cref="MaxInFlightLimit"/>
/// (health checks take none). A call refused for that is RESOURCE_EXHAUSTED with gRPC's retry pushback of
/// Retry-After, so a client whose retry policy covers the code waits that long before it tries again.
/// </summary>
public sealed class AuthorizationInterceptor(RequestGate gate, MaxInFlightLimit inFlight) : Interceptor
{
    private static readonly Dictionary<string, ResourceKind> KindsByService =
        ResourceKinds.All.ToDictionary(k => k.Service.FullName, StringComparer.Ordinal);

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        using var slot = Admit(request, context);
        return await continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var slot = Admit(request, context);
        await continuation(request, responseStream, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var slot = Admit(null, context);
        return await continuation(requestStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var slot = Admit(null, context);
        await continuation(requestStream, responseStream, context);
    }

    private MaxInFlightLimit.Slot Admit(object? request, ServerCallContext context)
    {
        AuthorizationAttributes? asked = null;
        UserInfo user;
        try
        {
            user = gate.Admit(context.GetHttpContext(), user => asked = Attributes(user, context.Method, request));
        }
        catch (AuthenticationException)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "Unauthorized"));
        }

        if (context.Method.StartsWith("/grpc.health.", StringComparison.Ordinal))
        {
            return default;
        }

        try
        {
            // A manifest is as many writes as it has objects, each authorized as it is made: it counts as one write.
            return inFlight.Enter(user, asked?.Verb ?? "create", asked?.Subresource ?? "");
        }
        catch (ApiException refused)
        {
            throw new RpcException(refused.Status, new Metadata
            {
                { "grpc-retry-pushback-ms", (MaxInFlightLimit.RetryAfterSeconds * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture) },
            });
        }
    }

    /// <summary>What a call asks for, from its method ("/package.Service/Method") and request.</summary>
    public static AuthorizationAttributes? Attributes(UserInfo user, string method, object? request)
    {
        var slash = method.LastIndexOf('/');
        var service = method[1..slash];
        var name = method[(slash + 1)..];
        switch (service)
        {
            case "grpc.health.v1.Health":
                return AuthorizationAttributes.NonResource(user, "get", "/healthz");
            case "grpc.reflection.v1alpha.ServerReflection" or "grpc.reflection.v1.ServerReflection" or "kubemesh.apiserver.v1.DiscoveryService":
                return AuthorizationAttributes.NonResource(user, "get", "/apis");
            case "kubemesh.apiserver.v1.AuthService":
                return name == "WhoAmI"
                    ? new AuthorizationAttributes(user, "create") { ApiGroup = "authentication.k8s.io", Resource = "selfsubjectreviews" }
                    : new AuthorizationAttributes(user, "create") { ApiGroup = "authorization.k8s.io", Resource = "selfsubjectaccessreviews" };
            case "kubemesh.apiserver.v1.ManifestService":
                // Each object of a manifest is authorized as the write it becomes, by the manifest applier.
                return null;
        }

        if (!KindsByService.TryGetValue(service, out var kind))
        {
            // Nothing else is served; should something be, only those allowed every path may call it.
            return AuthorizationAttributes.NonResource(user, "create", method);
        }

        var (verb, subresource, ns, objectName) = (name, request) switch
        {
            ("Create", IMessage obj) => ("create", "", kind.Metadata(obj)?.Namespace ?? "", ""),
            ("Update", IMessage obj) => ("update", "", kind.Metadata(obj)?.Namespace ?? "", kind.Metadata(obj)?.Name ?? ""),
            ("UpdateStatus", IMessage obj) => ("update", "status", kind.Metadata(obj)?.Namespace ?? "", kind.Metadata(obj)?.Name ?? ""),
            ("Get", GetRequest r) => ("get", "", r.Namespace, r.Name),
            ("List", ListRequest r) => ("list", "", r.Namespace, AuthorizationAttributes.NameFromFieldSelector(r.FieldSelector)),
            ("Watch", WatchRequest r) => ("watch", "", r.Namespace, AuthorizationAttributes.NameFromFieldSelector(r.FieldSelector)),
            ("Delete", DeleteRequest r) => ("delete", "", r.Namespace, r.Name),
            ("Bind", Binding r) => ("create", "binding", r.Metadata?.Namespace ?? "", r.Metadata?.Name ?? ""),
            ("GetLogs", PodLogRequest r) => ("get", "log", r.Namespace, r.Name),
            ("Exec", PodExecRequest r) => ("create", "exec", r.Namespace, r.Name),
            ("CreateToken", TokenRequest r) => ("create", "token", r.Metadata?.Namespace ?? "", r.Metadata?.Name ?? ""),
            _ => (name.ToLowerInvariant(), "", "", ""),
        };

        // A namespaced object named in no namespace is in "default", as the registry places it; lists span all.
        if (kind.Namespaced && ns.Length == 0 && verb is not ("list" or "watch"))
        {
            ns = "default";
        }

        return new AuthorizationAttributes(user, verb)
        {
            ApiGroup = kind.Group,
            ApiVersion = "v1",
            // A namespace's own requests are in the namespace they name, as on the REST paths /api/v1/namespaces/NAME.
            Namespace = kind.Namespaced ? ns : kind == ResourceKinds.Namespace ? objectName : "",
            Resource = kind.Plural,
            Subresource = subresource,
            Name = objectName,
        };
    }
}
