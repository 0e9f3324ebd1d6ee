using KubeMesh.AppHost;
using Microsoft.Extensions.Configuration;

namespace KubeMesh.EndToEnd;

/// <summary>What the AppHost writes beside the kubeconfig for kmctl --trace: the dashboard's OTLP endpoint and key.</summary>
public sealed class DashboardTelemetryFileTests
{
    [Fact]
    public void Render_WithTheDashboardsEndpointAndKey_NamesBothInOpenTelemetrysVariables()
    {
        var text = DashboardTelemetryExtensions.Render(Configuration(("ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "http://localhost:18889"), ("AppHost:OtlpApiKey", "secret")));

        Assert.Equal(
            "# The Aspire dashboard's OTLP endpoint, written by the AppHost at each start.\nOTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:18889\n"
            + "OTEL_EXPORTER_OTLP_PROTOCOL=grpc\nOTEL_EXPORTER_OTLP_HEADERS=x-otlp-api-key=secret\n",
            text);
        Assert.Equal("http://localhost:18889", KubeMesh.Kmctl.Tracing.CommandTrace.ParseEnvironmentFile(text!)!["OTEL_EXPORTER_OTLP_ENDPOINT"]);
    }

    [Fact]
    public void Render_WithoutADashboard_WritesNothing()
    {
        Assert.Null(DashboardTelemetryExtensions.Render(Configuration()));
        Assert.Null(DashboardTelemetryExtensions.Render(Configuration(("ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "http://localhost:18889"), ("ASPIRE_DASHBOARD_DISABLED", "true"))));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();
}
