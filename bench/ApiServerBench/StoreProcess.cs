using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using StackExchange.Redis;

namespace KubeMesh.Bench.ApiServer;

/// <summary>
/// The store under test in its own process on a free loopback port, durable as the AppHost runs it: a write is
/// acknowledged only once its append-only file entry is fsynced (redis-server <c>appendfsync always</c>, the embedded
/// Garnet's AOF commit wait), as etcd acknowledges a put only once its WAL entry is.
/// </summary>
public sealed class StoreProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDirectory;

    private StoreProcess(Process process, int port, string dataDirectory)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        ConnectionString = $"127.0.0.1:{port}";
    }

    public string ConnectionString { get; }

    /// <summary>The store server's process id, so its CPU time can be read.</summary>
    public int Pid => _process.Id;

    public static async Task<StoreProcess> StartAsync(string kind)
    {
        var port = FreePort();
        var dataDirectory = Directory.CreateTempSubdirectory("kubemesh-bench-").FullName;
        var start = kind == "garnet" ? Garnet(port, dataDirectory) : Redis(port, dataDirectory);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var store = new StoreProcess(process, port, dataDirectory);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var probe = await ConnectionMultiplexer.ConnectAsync($"{store.ConnectionString},connectTimeout=1000");
                await probe.GetDatabase().PingAsync();
                return store;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private static ProcessStartInfo Redis(int port, string dataDirectory) =>
        new("redis-server", ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", dataDirectory, "--save", "", "--appendonly", "yes", "--appendfsync", "always"]);

    private static ProcessStartInfo Garnet(int port, string dataDirectory)
    {
        var dll = typeof(StoreProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "KubeMeshStoreAssembly").Value!;
        var start = new ProcessStartInfo("dotnet", [dll]);
        start.Environment["STORE_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["STORE_BIND"] = "127.0.0.1";
        start.Environment["STORE_DATA_DIR"] = dataDirectory;
        return start;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
