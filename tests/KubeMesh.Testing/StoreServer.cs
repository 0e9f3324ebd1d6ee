using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace KubeMesh.Testing;

/// <summary>
/// A Redis-protocol store in its own process on a free 127.0.0.1 port with its own data folder: Debian's
/// <see cref="RedisServer"/> or the project's <see cref="EmbeddedStoreServer"/>. It can be killed with SIGKILL and
/// started again on the same port and folder, which is how durability is tested. Usable directly as an xunit class
/// or collection fixture; where its program is not installed, starting it skips the tests that need it.
/// </summary>
public abstract class StoreServer : IAsyncLifetime, IAsyncDisposable
{
    // A .NET store (Garnet) starting beside parallel test classes on a busy 2-core machine took over 30 s.
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private ChildProcess? _process;

    protected StoreServer(string name)
    {
        Name = name;
        Port = FreePort.Get();
        DataDirectory = Directory.CreateTempSubdirectory($"kubemesh-{name}-").FullName;
    }

    public string Name { get; }

    public int Port { get; }

    public string DataDirectory { get; }

    /// <summary>When set, the store refuses every command from a client that has not sent AUTH with it (NOAUTH).</summary>
    public string? Password { get; init; }

    /// <summary>The StackExchange.Redis connection string: the api-server's ConnectionStrings:store, with the password if any.</summary>
    public string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}" + (Password is null ? "" : ",password=" + Password);

    /// <summary>What the store printed so far, for failure messages.</summary>
    public string Output => _process?.Output ?? "";

    public Task InitializeAsync() => StartAsync();

    /// <summary>Starts the store (again, after <see cref="Kill"/>) and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"{Name} is already running");
        }

        var (file, args, environment) = Command();
        _process?.Dispose();
        _process = ChildProcess.Start(file, args, stdin: null, environment);
        await WaitUntilReadyAsync(_process);
    }

    /// <summary>SIGKILL, as kill -9: the store gets no chance to flush anything.</summary>
    public void Kill() => _process?.Kill();

    public ValueTask DisposeAsync()
    {
        _process?.Dispose();
        _process = null;
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

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>The program, its arguments and environment; throws <see cref="SkipException"/> where it is not installed.</summary>
    protected abstract (string File, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string?>? Environment) Command();

    private async Task WaitUntilReadyAsync(ChildProcess process)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {process.ExitCode} before it was ready:\n{process.Output}");
            }

            if (await AnswersPingAsync())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{Name} did not answer PING on port {Port} within {ReadyTimeout.TotalSeconds} s:\n{process.Output}");
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            var stream = client.GetStream();
            // As RESP arrays: Garnet parses no inline command before a client has authenticated.
            var command = (Password is null ? "" : $"*2\r\n$4\r\nAUTH\r\n${Encoding.UTF8.GetByteCount(Password)}\r\n{Password}\r\n") + "*1\r\n$4\r\nPING\r\n";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(command), timeout.Token);
            var expected = Password is null ? "+PONG\r\n" : "+OK\r\n+PONG\r\n";
            var reply = new StringBuilder();
            var buffer = new byte[64];
            while (reply.Length < expected.Length && expected.StartsWith(reply.ToString(), StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    return false;
                }

                reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return reply.ToString() == expected;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }
}
