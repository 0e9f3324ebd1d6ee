using System.Diagnostics;

namespace KubeMesh.Api;

/// <summary>
/// One span per gRPC call on the client side. grpc-dotnet starts a span for each call (source "Grpc.Net.Client",
/// named "Grpc.Net.Client.GrpcOut") and the runtime's HTTP handler a second one under it for the HTTP/2 request
/// (named "POST"): two spans per call whose names say nothing. The call's span is the one kept, named for what the
/// call does (<see cref="SpanName"/>); the HTTP request's is not exported, and <see cref="Propagator"/>, set on the
/// channels' handlers, sends the call span's context in its place, so the server's span is the child of a span the
/// trace has.
/// </summary>
public static class GrpcClientTracing
{
    /// <summary>grpc-dotnet's ActivitySource, and the name of the span it starts for each call.</summary>
    public const string SourceName = "Grpc.Net.Client";

    /// <summary>The span grpc-dotnet starts for each call.</summary>
    public const string CallOperationName = "Grpc.Net.Client.GrpcOut";

    private const string TraceParentHeader = "traceparent";
    private const string TraceStateHeader = "tracestate";

    /// <summary>The runtime's span of an outgoing HTTP request (System.Net.Http's DiagnosticsHandler).</summary>
    public const string HttpRequestOperationName = "System.Net.Http.HttpRequestOut";

    /// <summary>The W3C propagator for the HTTP handler under a gRPC channel (SocketsHttpHandler.ActivityHeadersPropagator).</summary>
    public static DistributedContextPropagator Propagator { get; } = new CallSpanPropagator(DistributedContextPropagator.CreateDefaultPropagator());

    /// <summary>
    /// The name of a call's span: the verb and resource as the api-server names its own spans and RBAC its rules
    /// ("create pods", "update pods/status", "watch deployments"), or, for a method outside the API, OpenTelemetry's
    /// "{package.Service}/{Method}".
    /// </summary>
    public static string SpanName(string fullMethod) =>
        ApiCall.ForGrpcMethod(fullMethod) is { Kind: not null } call
            ? $"{call.Verb} {call.Resource}"
            : fullMethod.TrimStart('/');

    /// <summary>Splits "/package.Service/Method" into its service and method, as the rpc.service and rpc.method attributes take them.</summary>
    public static (string Service, string Method) Split(string fullMethod)
    {
        var trimmed = fullMethod.TrimStart('/');
        var slash = trimmed.LastIndexOf('/');
        return slash < 0 ? (trimmed, "") : (trimmed[..slash], trimmed[(slash + 1)..]);
    }

    private sealed class CallSpanPropagator(DistributedContextPropagator inner) : DistributedContextPropagator
    {
        public override IReadOnlyCollection<string> Fields => inner.Fields;

        public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
        {
            // The HTTP request's span is not exported when a gRPC call's span is its parent: name the call's instead,
            // over whatever an instrumentation listening to the request's start wrote for the request's span.
            if (activity is { OperationName: HttpRequestOperationName, Parent: { OperationName: CallOperationName } call })
            {
                activity = call;
                if (carrier is HttpRequestMessage request)
                {
                    request.Headers.Remove(TraceParentHeader);
                    request.Headers.Remove(TraceStateHeader);
                }
            }

            inner.Inject(activity, carrier, setter);
        }

        public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState) =>
            inner.ExtractTraceIdAndState(carrier, getter, out traceId, out traceState);

        public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) =>
            inner.ExtractBaggage(carrier, getter);
    }
}
