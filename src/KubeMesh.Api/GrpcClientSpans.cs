using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace KubeMesh.Api;

/// <summary>
/// The client side of every gRPC call as one span named for what the call does ("create pods", "watch nodes"), with
/// OpenTelemetry's rpc.* attributes, and outgoing HTTP requests other than gRPC calls as the HTTP client spans they
/// are. The HTTP/2 request under a gRPC call is not exported: its channel's handler propagates the call's span
/// instead (<see cref="GrpcClientTracing.Propagator"/>), so the server's span stays the child of an exported span.
/// </summary>
public static class GrpcClientSpans
{
    public static TracerProviderBuilder AddGrpcClientSpans(this TracerProviderBuilder tracing) => tracing
        .AddSource(GrpcClientTracing.SourceName)
        .AddProcessor(new Namer())
        .AddHttpClientInstrumentation(o => o.FilterHttpRequestMessage = request => !IsGrpc(request));

    private static bool IsGrpc(HttpRequestMessage request) =>
        request.Content?.Headers.ContentType?.MediaType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) ?? false;

    private sealed class Namer : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            // grpc-dotnet tags its span with the method ("/kubemesh.core.v1.PodService/Create") and, at the end, the status.
            if (data.Source.Name != GrpcClientTracing.SourceName || data.GetTagItem("grpc.method") is not string method)
            {
                return;
            }

            data.DisplayName = GrpcClientTracing.SpanName(method);
            var (service, name) = GrpcClientTracing.Split(method);
            data.SetTag("rpc.system", "grpc");
            data.SetTag("rpc.service", service);
            data.SetTag("rpc.method", name);
            if (ApiCall.ForGrpcMethod(method) is { Kind: not null } call)
            {
                data.SetTag("k8s.verb", call.Verb);
                data.SetTag("k8s.resource", call.Resource);
            }

            if (data.GetTagItem("grpc.status_code") is { } status && int.TryParse(status.ToString(), out var code))
            {
                data.SetTag("rpc.grpc.status_code", code);
                // Every status but OK is an error on the client side (OpenTelemetry's gRPC conventions).
                if (code != 0 && data.Status == ActivityStatusCode.Unset)
                {
                    data.SetStatus(ActivityStatusCode.Error);
                }
            }
        }
    }
}
