using System.Diagnostics;

namespace KubeMesh.Kmctl.Tracing;

/// <summary>
/// `--trace`: the command runs inside a span of its own, sampled, whose W3C traceparent every call to the
/// api-server carries (the runtime's HTTP handler sends Activity.Current's). The api-server's write spans join that
/// trace, each change stores it, and every component that acts on the change continues it, so one trace id names
/// everything the command set going; kmctl prints it on stderr when the command ends, for the dashboard's Traces
/// page or `aspire otel traces`. kmctl exports no spans itself: in the dashboard the trace starts at the api-server.
/// </summary>
public sealed class CommandTrace : IDisposable
{
    public const string SourceName = "KubeMesh.Kmctl";

    private static readonly ActivitySource Source = new(SourceName);

    private readonly ActivityListener _listener;
    private readonly Activity _activity;

    private CommandTrace(string name)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_listener);

        // A root even when kmctl runs inside another span (a test host): the command is the change a user makes.
        Activity.Current = null;
        _activity = Source.StartActivity(name, ActivityKind.Client, parentContext: default)
            ?? throw new InvalidOperationException("the command's span was not sampled");
    }

    public string TraceId => _activity.TraceId.ToHexString();

    /// <summary>Starts the span of a command ("kmctl apply") when --trace is given, else returns null.</summary>
    public static CommandTrace? StartIf(bool requested, string command) => requested ? new CommandTrace("kmctl " + command) : null;

    /// <summary>The line kmctl prints on stderr, as `trace id: 4bf92f3577b34da6a3ce929d0e0e4736`.</summary>
    public string Line => "trace id: " + TraceId;

    public void Dispose()
    {
        _activity.Dispose();
        _listener.Dispose();
    }
}
