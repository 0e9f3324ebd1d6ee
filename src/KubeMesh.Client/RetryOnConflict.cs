using Grpc.Core;

namespace KubeMesh.Client;

/// <summary>
/// client-go's retry.RetryOnConflict: runs an update that re-reads the object each time, retrying while the
/// api-server rejects the write as a resourceVersion conflict (ABORTED). Any other error, or the last conflict
/// once the backoff's steps are spent, is thrown to the caller.
/// </summary>
public static class RetryOnConflict
{
    public static Task RunAsync(Func<Task> update, CancellationToken cancellationToken = default) =>
        RunAsync(Backoff.DefaultRetry, _ => update(), cancellationToken);

    public static Task RunAsync(Func<CancellationToken, Task> update, CancellationToken cancellationToken = default) =>
        RunAsync(Backoff.DefaultRetry, update, cancellationToken);

    public static async Task RunAsync(Backoff backoff, Func<CancellationToken, Task> update, CancellationToken cancellationToken = default) =>
        await RunAsync<bool>(backoff, async ct =>
        {
            await update(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);

    public static Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> update, CancellationToken cancellationToken = default) =>
        RunAsync(Backoff.DefaultRetry, update, cancellationToken);

    public static async Task<T> RunAsync<T>(Backoff backoff, Func<CancellationToken, Task<T>> update, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(backoff.Steps, 1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await update(cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (IsConflict(e) && attempt < backoff.Steps)
            {
                await Task.Delay(backoff.Delay(attempt - 1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static bool IsConflict(RpcException e) => e.StatusCode == StatusCode.Aborted;
}
