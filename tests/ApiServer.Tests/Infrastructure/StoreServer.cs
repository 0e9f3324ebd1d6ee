using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace KubeMesh.ApiServer.Tests.Infrastructure;

/// <summary>
/// A Redis-protocol store in its own process on a free loopback port, with its own data folder. It can be
/// killed with SIGKILL and started again on the same port and folder, which is how durability is tested.
/// </summary>
public abstract class StoreServer : IAsyncDisposable
{
    // A .NET store (Garnet) starting beside parallel test classes on a busy 2-core machine took over 30 s.
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private readonly StringBuilder _output = new();
    private Process? _process;

    protected StoreServer(string name)
    {
        Name = name;
        Port = FreePort.Next();
        DataDirectory = Directory.CreateTempSubdirectory($"kubemesh-{name}-").FullName;
    }

    public string Name { get; }

    public int Port { get; }

    public string DataDirectory { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"{Name} is already running");
        }

        var start = CreateStartInfo();
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitUntilReadyAsync(process);
    }

    /// <summary>SIGKILL, as kill -9: the store gets no chance to flush anything.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException($"{Name} (pid {process.Id}) did not exit after SIGKILL");
            }
        }
    }

    public virtual ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    protected abstract ProcessStartInfo CreateStartInfo();

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 64 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private async Task WaitUntilReadyAsync(Process process)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {process.ExitCode} before it was ready:\n{Output()}");
            }

            if (await AnswersPingAsync())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{Name} did not answer PING on port {Port} within {ReadyTimeout.TotalSeconds} s:\n{Output()}");
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }
}
