namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>Command-line options: --backends N --connections C --threads T --duration S --warmup S --ingress-dll PATH, and for a running cluster --server URL --ingress-port P.</summary>
internal sealed record BenchOptions
{
    public int Backends { get; init; } = 4;

    public int Connections { get; init; } = 64;

    public int Threads { get; init; } = 2;

    public int DurationSeconds { get; init; } = 10;

    public int WarmupSeconds { get; init; } = 3;

    /// <summary>The Release build of the controller the in-process mode starts as its own process.</summary>
    public string IngressDll { get; init; } = Path.GetFullPath(Path.Combine(
        AppContext.BaseDirectory, "../../../../../src/IngressController/bin/Release/net10.0/IngressController.dll"));

    /// <summary>Set for cluster mode: deploy http-echo pods through this api-server instead of in-process backends.</summary>
    public string? Server { get; init; }

    /// <summary>Cluster mode: the running ingress controller's HTTP port.</summary>
    public int IngressPort { get; init; } = 80;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
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
                "--ingress-dll" => options with { IngressDll = Path.GetFullPath(value) },
                "--server" => options with { Server = value },
                "--ingress-port" => options with { IngressPort = int.Parse(value) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return options;
    }
}
