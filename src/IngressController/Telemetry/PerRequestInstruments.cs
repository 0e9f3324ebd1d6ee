using OpenTelemetry.Metrics;

namespace KubeMesh.IngressController.Telemetry;

/// <summary>
/// ASP.NET Core's per-request instruments, which the controller does not export: its own request histogram and
/// counter (<see cref="Metrics.IngressMetrics"/>: kubemesh.ingress.request.duration by ingress, service and status, as
/// ingress-nginx's nginx_ingress_controller_request_duration_seconds) already measure every proxied request. Recorded
/// as well, each costs a tag-set lookup in OpenTelemetry's aggregator on every request; under the AppHost, with the
/// dashboard collecting, dropping them took about a tenth off the controller's CPU per proxied request. An instrument
/// no view exports is never enabled, so ASP.NET Core's hosting and routing skip the work. Kestrel's memory-pool
/// instruments (aspnetcore.memory_pool.*, new in .NET 10) go too: they record every buffer block rented and returned,
/// several per proxied request (about 4% of the controller's CPU under the AppHost). Connection-level instruments
/// (Kestrel's) and the runtime's stay.
/// </summary>
internal static class PerRequestInstruments
{
    public static readonly IReadOnlyList<string> Dropped =
    [
        "http.server.request.duration",
        "http.server.active_requests",
        "aspnetcore.routing.match_attempts",
        "aspnetcore.memory_pool.*",
    ];

    public static MeterProviderBuilder DropPerRequestInstruments(this MeterProviderBuilder metrics)
    {
        foreach (var name in Dropped)
        {
            metrics.AddView(name, MetricStreamConfiguration.Drop);
        }

        return metrics;
    }
}
