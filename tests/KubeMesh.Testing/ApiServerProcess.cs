using System.Globalization;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.Testing;

/// <summary>
/// The api-server as its own process (src/ApiServer's build output, run as the AppHost runs it) over a store, on a port
/// it keeps for its life: a test can kill -9 it and start it again where its clients expect it, or drive it with
/// command-line clients as a user would. <see cref="ApiServerHost"/> is the in-process one, for everything else.
/// </summary>
public sealed class ApiServerProcess : IDisposable
{
    // A .NET service starting beside parallel test classes on a busy 2-core machine can take tens of seconds.
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private readonly string _storeConnection;
    private readonly string? _keyPrefix;
    private readonly int _restPort = FreePort.Get();
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private ChildProcess? _process;

    /// <param name="storeConnection">The store's connection string (<see cref="StoreServer.ConnectionString"/>).</param>
    /// <param name="keyPrefix">The store key prefix; replicas sharing one see one cluster. Null for the api-server's default.</param>
    /// <param name="settings">More configuration, as environment variables (for example Authorization__Mode).</param>
    public ApiServerProcess(string storeConnection, string? keyPrefix = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _storeConnection = storeConnection;
        _keyPrefix = keyPrefix;
        _settings = settings ?? new Dictionary<string, string?>();
    }

    /// <summary>The gRPC port, the same across restarts.</summary>
    public int Port { get; } = FreePort.Get();

    public string Address => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The kubectl-compatible REST port, the same across restarts.</summary>
    public string RestAddress => $"http://127.0.0.1:{_restPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>What the current (or last) process printed, for failure messages.</summary>
    public string Output => _process?.Output ?? "";

    /// <summary>Starts the api-server (again, after <see cref="Kill"/>) and waits until it answers a list call.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"the api-server on {Address} is already running");
        }

        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__store"] = _storeConnection,
            ["Store__PollInterval"] = "00:00:01",
            ["Kestrel__Endpoints__Grpc__Url"] = Address,
            ["Kestrel__Endpoints__Http__Url"] = "http://127.0.0.1:0",
            ["Kestrel__Endpoints__Rest__Url"] = RestAddress,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        if (_keyPrefix is not null)
        {
            environment["Store__KeyPrefix"] = _keyPrefix;
        }

        foreach (var (key, value) in _settings)
        {
            environment[key] = value;
        }

        _process?.Dispose();
        _process = ChildProcess.Start(
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [Repository.BuildOutput("ApiServer", "ApiServer.dll")], stdin: null, environment);
        await WaitUntilServingAsync(_process);
    }

    /// <summary>SIGKILL: streams and calls in flight end without a goodbye. Returns once the process is gone.</summary>
    public void Kill() => _process?.Kill();

    /// <summary>For failure messages: the address, and whether the process runs or how it ended.</summary>
    public string Describe() => _process switch
    {
        null => $"{Address} not started",
        { HasExited: false } p => $"{Address} running (pid {p.Id})",
        var p => $"{Address} exited with {p.ExitCode}",
    };

    public void Dispose()
    {
        _process?.Dispose();
        _process = null;
    }

    private async Task WaitUntilServingAsync(ChildProcess process)
    {
        using var client = KubeMeshClient.Create(Address);
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (true)
        {
            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await client.For<Namespace>().ListAsync(new ListRequest(), attempt.Token);
                return;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated)
            {
                return; // it serves, and refuses an anonymous caller as configured
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"the api-server for {Address} exited with {process.ExitCode} before it served:\n{process.Output}", e);
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"the api-server on {Address} did not serve within {ReadyTimeout.TotalSeconds} s:\n{process.Output}", e);
                }

                await Task.Delay(200);
            }
        }
    }
}
