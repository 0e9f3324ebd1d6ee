namespace KubeMesh.ControllerManager.Controllers.Common;

/// <summary>
/// kube's slowStartBatch: runs creates in batches of 1, 2, 4, ... and stops after the first batch with an error,
/// so a failing create (quota, bad template) costs one call rather than hundreds.
/// </summary>
internal static class SlowStartBatch
{
    public static async Task<Result> RunAsync(int count, Func<Task> action, Action<Exception> onError)
    {
        var succeeded = 0;
        var remaining = count;
        for (var batch = Math.Min(remaining, 1); batch > 0; batch = Math.Min(2 * batch, remaining))
        {
            var errors = new List<Exception>();
            await Task.WhenAll(Enumerable.Range(0, batch).Select(async _ =>
            {
                try
                {
                    await action().ConfigureAwait(false);
                    Interlocked.Increment(ref succeeded);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    onError(e);
                    lock (errors)
                    {
                        errors.Add(e);
                    }
                }
            })).ConfigureAwait(false);
            if (errors.Count > 0)
            {
                return new Result(succeeded, errors[0]);
            }

            remaining -= batch;
        }

        return new Result(succeeded, null);
    }

    public sealed record Result(int Succeeded, Exception? Error)
    {
        public void ThrowIfFailed()
        {
            if (Error is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(Error);
            }
        }
    }
}
