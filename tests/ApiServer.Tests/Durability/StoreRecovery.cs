using Grpc.Core;

namespace KubeMesh.ApiServer.Tests.Durability;

/// <summary>The api-server reconnects to a restarted store on its own; until then calls fail as UNAVAILABLE.</summary>
internal static class StoreRecovery
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public static async Task<T> UntilStoreAnswersAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
