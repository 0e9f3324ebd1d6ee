using KubeMesh.Hosting;

namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>
/// Command-line options: --backends N --connections C --threads T --duration S --warmup S --rounds R --ingress-dll PATH,
/// --baseline-ingress-dll PATH, --baseline-env KEY=VALUE (the baseline controller only, e.g. to compare a runtime setting
/// on one build), --pin on|off, --server-gc on|off, --concurrent-gc on|off, --tiered-pgo on|off, --inline on|off, --proxy-env KEY=VALUE,
/// and for a running cluster
/// --server URL --kubeconfig PATH --ingress-port P --keep on|off (the kubeconfig's credentials, with the server from
/// --server: by default $KUBECONFIG, else the .kubemesh/kubeconfig the AppHost writes). Against a cluster, wrk runs as many threads as there are pods (so the direct column
/// can spread over them) and nothing is pinned, since the AppHost starts the controller and the pods.
/// </summary>
internal sealed record BenchOptions
{
    public int Backends { get; init; } = 4;

    public int Connections { get; init; } = 64;

    /// <summary>wrk's threads; one by default, since pinned wrk has one core.</summary>
    public int Threads { get; init; } = 1;

    public int DurationSeconds { get; init; } = 10;

    /// <summary>
    /// Load before measuring each proxy. The JIT still recompiles hot paths several seconds into load, and on a
    /// proxy's one core it takes turns with the proxy (seen at 15% of the controller's samples 5 s in).
    /// </summary>
    public int WarmupSeconds { get; init; } = 10;

    /// <summary>Measurements of every column, interleaved; the report shows each column's median.</summary>
    public int Rounds { get; init; } = 1;

    /// <summary>The Release build of the controller the in-process mode starts as its own process.</summary>
    /// <summary>
    /// Another build of the controller (an older commit's, say) run beside <see cref="IngressDll"/> against the same
    /// pods, as the column "ingress (baseline)": old and new measured in the same run. In-process cluster only.
    /// </summary>
    public string? BaselineIngressDll { get; init; }

    public string IngressDll { get; init; } = Path.GetFullPath(Path.Combine(
        AppContext.BaseDirectory, "../../../../../src/IngressController/bin/Release/net10.0/IngressController.dll"));

    /// <summary>Set for cluster mode: deploy http-echo pods through this api-server instead of in-process backends.</summary>
    public string? Server { get; init; }

    /// <summary>Cluster mode's credentials and CA: the admin kubeconfig the AppHost writes, unless another is named.</summary>
    public string? Kubeconfig { get; init; } =
        Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } fromEnvironment ? fromEnvironment
        : File.Exists(Path.Combine(".kubemesh", "kubeconfig")) ? Path.GetFullPath(Path.Combine(".kubemesh", "kubeconfig"))
        : null;

    /// <summary>Cluster mode: leave the Deployment, Service and Ingress in place after the run (--keep on), to profile by hand.</summary>
    public bool Keep { get; init; }

    /// <summary>Cluster mode: the running ingress controller's HTTP port.</summary>
    public int IngressPort { get; init; } = 80;

    /// <summary>
    /// wrk on the first core and the proxy under test on the second, so they do not take turns on one core; the
    /// pods (this process) run on either. Needs two cores.
    /// </summary>
    public bool Pin { get; init; } = Environment.ProcessorCount >= 2;

    public bool ServerGc { get; init; } = true;

    public bool ConcurrentGc { get; init; } = true;

    /// <summary>Dynamic PGO (with quick JIT), the runtime's default and the controller's own.</summary>
    public bool TieredPgo { get; init; } = true;

    /// <summary>
    /// Socket completions and Kestrel's request processing inline on the socket threads, as the controller runs by
    /// default (its IngressTransport); the bench sets the same for both .NET proxies.
    /// </summary>
    public bool Inline { get; init; } = true;

    /// <summary>Further environment for both .NET proxies (--proxy-env KEY=VALUE, repeatable): runtime knobs to compare.</summary>
    public IReadOnlyList<string> ProxyEnvironment { get; init; } = [];

    /// <summary>KEY=VALUE pairs for the baseline controller only, over the shared runtime settings (--baseline-env).</summary>
    public IReadOnlyList<string> BaselineEnvironment { get; init; } = [];

    public string? LoadCpu => Pin ? "0" : null;

    public string? ProxyCpu => Pin ? "1" : null;

    /// <summary>The same runtime settings for the controller and bare YARP, whatever their runtimeconfig.json says.</summary>
    public Dictionary<string, string> RuntimeEnvironment()
    {
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_gcServer"] = ServerGc ? "1" : "0",
            ["DOTNET_gcConcurrent"] = ConcurrentGc ? "1" : "0",
            ["DOTNET_TieredPGO"] = TieredPgo ? "1" : "0",
            ["DOTNET_TC_QuickJit"] = TieredPgo ? "1" : "0",
            [InlineSocketCompletions.Variable] = Inline ? "1" : "0",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        AddPairs(environment, ProxyEnvironment, "--proxy-env");
        return environment;
    }

    /// <summary>The baseline controller's settings: <see cref="RuntimeEnvironment"/> with --baseline-env over it.</summary>
    public Dictionary<string, string> BaselineRuntimeEnvironment() => AddPairs(RuntimeEnvironment(), BaselineEnvironment, "--baseline-env");

    private static Dictionary<string, string> AddPairs(Dictionary<string, string> environment, IReadOnlyList<string> pairs, string option)
    {
        foreach (var pair in pairs)
        {
            var (key, value) = pair.Split('=', 2) is [var k, var v] ? (k, v) : throw new ArgumentException($"{option} expects KEY=VALUE, got {pair}");
            environment[key] = value;
        }

        return environment;
    }

    public string Describe() =>
        $"server GC {OnOff(ServerGc)}, concurrent GC {OnOff(ConcurrentGc)}, TieredPGO {OnOff(TieredPgo)}, inline sockets {OnOff(Inline)}, " +
        (ProxyEnvironment.Count > 0 ? string.Join(' ', ProxyEnvironment) + ", " : "") +
        (BaselineEnvironment.Count > 0 ? "baseline controller " + string.Join(' ', BaselineEnvironment) + ", " : "") +
        (Pin ? $"wrk pinned to CPU {LoadCpu}, proxies to CPU {ProxyCpu}, pods unpinned" : "no CPU pinning");

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        if (args.Contains("--server"))
        {
            options = options with { Pin = false };
        }

        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--backends" => options with { Backends = int.Parse(value) },
                "--connections" => options with { Connections = int.Parse(value) },
                "--threads" => options with { Threads = int.Parse(value) },
                "--duration" => options with { DurationSeconds = int.Parse(value) },
                "--warmup" => options with { WarmupSeconds = int.Parse(value) },
                "--rounds" => options with { Rounds = int.Parse(value) },
                "--ingress-dll" => options with { IngressDll = Path.GetFullPath(value) },
                "--baseline-ingress-dll" => options with { BaselineIngressDll = Path.GetFullPath(value) },
                "--server" => options with { Server = value },
                "--kubeconfig" => options with { Kubeconfig = value },
                "--keep" => options with { Keep = Flag(value) },
                "--ingress-port" => options with { IngressPort = int.Parse(value) },
                "--pin" => options with { Pin = Flag(value) },
                "--server-gc" => options with { ServerGc = Flag(value) },
                "--concurrent-gc" => options with { ConcurrentGc = Flag(value) },
                "--tiered-pgo" => options with { TieredPgo = Flag(value) },
                "--inline" => options with { Inline = Flag(value) },
                "--proxy-env" => options with { ProxyEnvironment = [.. options.ProxyEnvironment, value] },
                "--baseline-env" => options with { BaselineEnvironment = [.. options.BaselineEnvironment, value] },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        if (options.Server is not null && options.BaselineIngressDll is not null)
        {
            throw new ArgumentException("--baseline-ingress-dll runs a second controller in the in-process cluster; with --server the cluster runs its own");
        }

        if (options.BaselineEnvironment.Count > 0 && options.BaselineIngressDll is null)
        {
            throw new ArgumentException("--baseline-env sets the baseline controller's environment: give --baseline-ingress-dll too");
        }

        return options.Server is not null && !args.Contains("--threads") ? options with { Threads = options.Backends } : options;
    }

    private static bool Flag(string value) => value switch
    {
        "on" or "true" or "1" => true,
        "off" or "false" or "0" => false,
        _ => throw new ArgumentException($"expected on or off, got {value}"),
    };

    private static string OnOff(bool value) => value ? "on" : "off";
}
