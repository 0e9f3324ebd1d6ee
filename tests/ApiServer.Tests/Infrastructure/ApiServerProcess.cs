using System.Diagnostics;
using System.Reflection;
using System.Text;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.ApiServer.Tests.Infrastructure;

/// <summary>
/// One api-server replica as its own process (src/ApiServer's build, as the AppHost runs it) on a fixed free port over
/// a shared store, so a test can kill -9 it and start it again where clients expect it.
/// </summary>
public sealed class ApiServerProcess(string storeConnection, string keyPrefix) : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private readonly StringBuilder _output = new();
    private Process? _process;

    public int Port { get; } = FreePort.Get();

    public string Address => $"http://127.0.0.1:{Port}";

    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    public async Task StartAsync()
    {
        var dll = typeof(ApiServerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "KubeMeshApiServerAssembly").Value!;
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.Environment["ConnectionStrings__store"] = storeConnection;
        start.Environment["Store__KeyPrefix"] = keyPrefix;
        start.Environment["Store__PollInterval"] = "00:00:01";
        start.Environment["Kestrel__Endpoints__Grpc__Url"] = Address;
        start.Environment["Kestrel__Endpoints__Http__Url"] = "http://127.0.0.1:0";
        start.Environment["Kestrel__Endpoints__Rest__Url"] = "http://127.0.0.1:" + FreePort.Get().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the api-server");
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitUntilServingAsync(process);
    }

    /// <summary>SIGKILL: streams and calls in flight end without a goodbye.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
    }

    private void Record(string? line)
    {
        lock (_output)
        {
            if (line is not null && _output.Length < 64 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task WaitUntilServingAsync(Process process)
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
            catch (Exception e) when (e is RpcException or OperationCanceledException && DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(200);
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException)
            {
                lock (_output)
                {
                    throw new TimeoutException($"the api-server on port {Port} did not serve within {ReadyTimeout}:\n{_output}", e);
                }
            }
        }
    }
}
