using KubeMesh.Api.Security;
using Microsoft.Extensions.Configuration;

namespace KubeMesh.AppHost;

/// <summary>
/// Writes where the dashboard takes telemetry (its OTLP endpoint and the API key it asks for) into the data
/// directory as <c>otel-exporter.env</c>, beside the kubeconfig, in OpenTelemetry's own variable names. kmctl reads it
/// for <c>--trace</c>, so the command's own span opens the trace of the change in the dashboard; any other
/// OpenTelemetry program can take it with <c>set -a; . .kubemesh/otel-exporter.env</c>. Without a dashboard (a test
/// host) there is nothing to write, and an old file is removed so that no one exports to a dashboard that is gone.
/// </summary>
public static class DashboardTelemetryExtensions
{
    public const string FileName = "otel-exporter.env";

    public static void WriteDashboardTelemetryFile(this IDistributedApplicationBuilder builder, string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            var text = Render(builder.Configuration);
            if (text is null)
            {
                File.Delete(path);
            }
            else
            {
                Directory.CreateDirectory(dataDirectory);
                // The API key lets anyone who holds it write telemetry into the dashboard: the owner's alone.
                PrivateFiles.Write(path, text);
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>The file's text, or null when the AppHost runs no dashboard.</summary>
    public static string? Render(IConfiguration configuration)
    {
        var endpoint = configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] ?? configuration["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"];
        if (string.IsNullOrWhiteSpace(endpoint) || configuration.GetValue("ASPIRE_DASHBOARD_DISABLED", false))
        {
            return null;
        }

        var lines = new List<string>
        {
            "# The Aspire dashboard's OTLP endpoint, written by the AppHost at each start.",
            "OTEL_EXPORTER_OTLP_ENDPOINT=" + endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL=grpc",
        };
        if (configuration["AppHost:OtlpApiKey"] is { Length: > 0 } key)
        {
            lines.Add("OTEL_EXPORTER_OTLP_HEADERS=x-otlp-api-key=" + key);
        }

        return string.Join('\n', lines) + "\n";
    }
}
