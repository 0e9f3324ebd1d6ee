using Grpc.Core;

namespace KubeMesh.Kmctl.Api;

/// <summary>client-go's RetryOnConflict: re-read and re-apply a change while the write loses the compare-and-swap.</summary>
public static class Conflicts
{
    private const int Attempts = 5;

    public static async Task<T> RetryAsync<T>(Func<Task<T>> attempt)
    {
        for (var i = 1; ; i++)
        {
            try
            {
                return await attempt();
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Aborted && i < Attempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10 * (1 << i)));
            }
        }
    }
}
