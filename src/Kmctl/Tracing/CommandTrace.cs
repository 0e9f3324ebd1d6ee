using System.Diagnostics;
using KubeMesh.Api;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace KubeMesh.Kmctl.Tracing;

/// <summary>
/// `--trace`: the command runs inside a span of its own, sampled, whose W3C traceparent every call to the
/// api-server carries (the runtime's HTTP handler sends Activity.Current's). The api-server's write spans join that
/// trace, each change stores it, and every component that acts on the change continues it, so one trace id names
/// everything the command set going; kmctl prints it on stderr when the command ends, for the dashboard's Traces
/// page or `aspire otel traces`.
/// <para>
/// Where there is somewhere to send it, the command's span is exported too, as the root of that trace: to
/// OpenTelemetry's OTEL_EXPORTER_OTLP_* variables when they are set, else to the dashboard the AppHost names in
/// otel-exporter.env beside the kubeconfig in use. Without either the trace starts at the api-server.
/// </para>
/// </summary>
public sealed class CommandTrace : IDisposable
{
    public const string SourceName = "KubeMesh.Kmctl";

    /// <summary>The file the AppHost writes beside its kubeconfig (KubeMesh.AppHost.DashboardTelemetryExtensions).</summary>
    public const string ExporterFileName = "otel-exporter.env";

    private static readonly ActivitySource Source = new(SourceName);
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);

    private readonly ActivityListener _listener;
    private readonly TracerProvider? _exporter;
    private readonly Activity _activity;

    private CommandTrace(string name, IReadOnlyDictionary<string, string>? exporter)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_listener);
        _exporter = exporter is null ? null : CreateExporter(exporter);

        // A root even when kmctl runs inside another span (a test host): the command is the change a user makes.
        Activity.Current = null;
        _activity = Source.StartActivity(name, ActivityKind.Client, parentContext: default)
            ?? throw new InvalidOperationException("the command's span was not sampled");
    }

    public string TraceId => _activity.TraceId.ToHexString();

    /// <summary>Whether the command's own span is exported.</summary>
    public bool Exported => _exporter is not null;

    /// <summary>Starts the span of a command ("kmctl apply") when --trace is given, else returns null.</summary>
    /// <param name="kubeconfig">The kubeconfig kmctl uses, beside which the AppHost leaves otel-exporter.env.</param>
    public static CommandTrace? StartIf(bool requested, string command, string? kubeconfig) =>
        requested ? new CommandTrace("kmctl " + command, ExporterSettings(kubeconfig)) : null;

    /// <summary>The line kmctl prints on stderr, as `trace id: 4bf92f3577b34da6a3ce929d0e0e4736`.</summary>
    public string Line => "trace id: " + TraceId;

    public void Dispose()
    {
        _activity.Dispose();
        _exporter?.ForceFlush((int)FlushTimeout.TotalMilliseconds);
        _exporter?.Dispose();
        _listener.Dispose();
    }

    /// <summary>
    /// The OTLP settings to export with: the process's OTEL_EXPORTER_OTLP_* variables when the endpoint is among
    /// them, else the file beside the kubeconfig, else none.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? ExporterSettings(string? kubeconfig)
    {
        if (Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } endpoint)
        {
            var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint };
            foreach (var name in (string[])["OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS"])
            {
                if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
                {
                    settings[name] = value;
                }
            }

            return settings;
        }

        var file = kubeconfig is null ? null : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(kubeconfig))!, ExporterFileName);
        return file is not null && File.Exists(file) ? ParseEnvironmentFile(File.ReadAllText(file)) : null;
    }

    /// <summary>KEY=VALUE lines; blank lines and # comments are skipped. An entry without an endpoint is no setting.</summary>
    public static IReadOnlyDictionary<string, string>? ParseEnvironmentFile(string text)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (line.Length == 0 || line.StartsWith('#') || equals <= 0)
            {
                continue;
            }

            settings[line[..equals].Trim()] = line[(equals + 1)..].Trim();
        }

        return settings.TryGetValue("OTEL_EXPORTER_OTLP_ENDPOINT", out var endpoint) && Uri.IsWellFormedUriString(endpoint, UriKind.Absolute) ? settings : null;
    }

    private static TracerProvider CreateExporter(IReadOnlyDictionary<string, string> settings) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("kmctl"))
            .AddSource(SourceName)
            // Each call to the api-server as the components' calls are: one client span named for the call, whose
            // context the api-server's span continues.
            .AddGrpcClientSpans()
            .AddOtlpExporter(options =>
            {
                var endpoint = new Uri(settings["OTEL_EXPORTER_OTLP_ENDPOINT"]);
                options.Protocol = settings.GetValueOrDefault("OTEL_EXPORTER_OTLP_PROTOCOL") is "http/protobuf"
                    ? OtlpExportProtocol.HttpProtobuf
                    : OtlpExportProtocol.Grpc;

                // The variable names the collector's base URL; over HTTP the traces go to its /v1/traces.
                options.Endpoint = options.Protocol == OtlpExportProtocol.HttpProtobuf && !endpoint.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal)
                    ? new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/v1/traces")
                    : endpoint;
                if (settings.GetValueOrDefault("OTEL_EXPORTER_OTLP_HEADERS") is { Length: > 0 } headers)
                {
                    options.Headers = headers;
                }

                // One span, sent when the command ends: no batching delay.
                options.ExportProcessorType = ExportProcessorType.Simple;
            })
            .Build();
}
