namespace KubeMesh.Testing;

/// <summary>Work a test runs beside itself (a watch, a stand-in kubelet): cancelled and awaited when disposed.</summary>
public sealed class BackgroundLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public BackgroundLoop(Func<CancellationToken, Task> body)
    {
        _loop = Task.Run(() => body(_stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
