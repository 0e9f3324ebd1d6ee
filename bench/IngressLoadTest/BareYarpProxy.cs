using System.Diagnostics;

namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>Runs <see cref="BareYarpApp"/> as its own process, pinned and tuned as the controller is.</summary>
internal sealed class BareYarpProxy(Process process, int port) : IAsyncDisposable
{
    public int Port { get; } = port;

    public int ProcessId => process.Id;

    public static async Task<BareYarpProxy> StartAsync(IReadOnlyList<string> pods, BenchOptions options)
    {
        var port = Processes.FreePort();
        var process = Processes.Start(
            "dotnet",
            [typeof(BareYarpProxy).Assembly.Location, BareYarpApp.Command, port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. pods],
            options.RuntimeEnvironment(),
            options.ProxyCpu);
        var proxy = new BareYarpProxy(process, port);
        using var http = new HttpClient();
        await Processes.WaitUntilAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/") { Headers = { Host = InProcessCluster.Host } };
                using var response = await http.SendAsync(request);
                return response.IsSuccessStatusCode;
            },
            "bare YARP proxies",
            TimeSpan.FromSeconds(30));
        return proxy;
    }

    public ValueTask DisposeAsync() => new(Processes.StopAsync(process));
}
