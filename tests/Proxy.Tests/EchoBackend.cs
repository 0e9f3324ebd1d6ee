using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KubeMesh.Proxy.Tests;

/// <summary>A pod stand-in: listens on a pod address, says who it is, then echoes what it reads.</summary>
public sealed class EchoBackend : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;

    public EchoBackend(IPEndPoint endpoint)
    {
        Endpoint = endpoint;
        _listener = new TcpListener(endpoint);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public IPEndPoint Endpoint { get; }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                await stream.WriteAsync(Encoding.ASCII.GetBytes(Endpoint + "\n"), _stopping.Token);
                await stream.CopyToAsync(stream, _stopping.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
            {
            }
        }
    }
}
