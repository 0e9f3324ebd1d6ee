using System.Diagnostics;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using KubeMesh.Bench.ApiServer.Etcd;

namespace KubeMesh.Bench.ApiServer;

/// <summary>
/// A single-member etcd, the store Kubernetes itself uses, on free loopback ports in a fresh data directory with its
/// defaults: every put is acknowledged only after its WAL entry is fsynced, as the api-server's store acknowledges a
/// write only after its append-only file is. Driven through its own gRPC KV API.
/// </summary>
public sealed class EtcdProcess : IAsyncDisposable
{
    private const string Binary = "etcd";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly GrpcChannel _channel;
    private readonly PosixSignalRegistration[] _signals;
    private int _stopped;

    private EtcdProcess(Process process, string dataDirectory, string clientUrl)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        _channel = GrpcChannel.ForAddress(clientUrl);
        Kv = new KV.KVClient(_channel);
        Watch = new Watch.WatchClient(_channel);
        // Ctrl+C or a kill of the bench must not leave etcd running or its data behind.
        _signals = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT }.Select(s => PosixSignalRegistration.Create(s, _ => Stop()))];
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    public KV.KVClient Kv { get; }

    public Watch.WatchClient Watch { get; }

    public static string? Version { get; private set; }

    public int Pid => _process.Id;

    /// <summary>Starts etcd, or returns why it could not (not installed, or it did not come up) so the rest still runs.</summary>
    public static async Task<(EtcdProcess? Etcd, string? Unavailable)> TryStartAsync()
    {
        if (!OnPath(Binary))
        {
            return (null, "etcd not installed (Debian: apt-get install etcd-server)");
        }

        Version = await VersionAsync();
        var clientUrl = $"http://127.0.0.1:{StoreProcess.FreePort()}";
        var peerUrl = $"http://127.0.0.1:{StoreProcess.FreePort()}";
        var dataDirectory = Directory.CreateTempSubdirectory("kubemesh-bench-etcd-").FullName;
        var start = new ProcessStartInfo(Binary,
        [
            "--name", "bench", "--data-dir", dataDirectory,
            "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", $"bench={peerUrl}", "--initial-cluster-state", "new",
            "--logger", "zap", "--log-level", "warn",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("etcd did not start");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Directory.Delete(dataDirectory, recursive: true);
            return (null, $"etcd could not be started: {ex.Message}");
        }

        process.OutputDataReceived += (_, e) => Keep(log, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var etcd = new EtcdProcess(process, dataDirectory, clientUrl);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await etcd.Kv.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("bench/ready") }, deadline: DateTime.UtcNow.AddSeconds(1));
                return (etcd, null);
            }
            catch (RpcException) when (deadline.Elapsed < StartTimeout && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (RpcException ex)
            {
                await etcd.DisposeAsync();
                var why = process.HasExited ? $"exited with {process.ExitCode}" : $"not answering after {(int)StartTimeout.TotalSeconds} s ({ex.Status.Detail})";
                return (null, $"etcd {why}: {string.Join(" | ", log.TakeLast(3))}");
            }
        }
    }

    public Task PutAsync(string key, ByteString value) =>
        Kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = value }).ResponseAsync;

    public ValueTask DisposeAsync()
    {
        Stop();
        // Not from Stop: a registration cannot be disposed from inside its own handler.
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }

        _channel.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Kills etcd, waits for it to exit and removes its data directory; once, from whichever path comes first.</summary>
    private void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        // Only the process and its directory here: this also runs on a signal, while calls may still be in flight.
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private static void Keep(System.Collections.Concurrent.ConcurrentQueue<string> log, string? line)
    {
        if (line is null)
        {
            return;
        }

        log.Enqueue(line);
        while (log.Count > 20 && log.TryDequeue(out _))
        {
        }
    }

    private static async Task<string?> VersionAsync()
    {
        var start = new ProcessStartInfo(Binary, ["--version"]) { RedirectStandardOutput = true };
        using var process = Process.Start(start);
        if (process is null)
        {
            return null;
        }

        var output = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(timeout.Token);
        return output.Split('\n').FirstOrDefault(l => l.StartsWith("etcd Version:", StringComparison.Ordinal))?["etcd Version:".Length..].Trim();
    }

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, name)));
}
