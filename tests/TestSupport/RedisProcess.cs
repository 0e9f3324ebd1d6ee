using System.Net;

namespace KubeMesh.Testing;

/// <summary>Debian's redis-server on a free port, without persistence.</summary>
public sealed class RedisProcess : IDisposable
{
    private readonly ChildProcess _process;

    private RedisProcess(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisProcess> StartAsync()
    {
        var port = TestPorts.Next();
        var process = ChildProcess.Start("/usr/bin/redis-server", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no");
        try
        {
            await TestPorts.WaitForListenerAsync(IPAddress.Loopback, port, TimeSpan.FromSeconds(20));
        }
        catch
        {
            process.Dispose();
            throw;
        }

        return new RedisProcess(process, port);
    }

    public void Dispose() => _process.Dispose();
}
