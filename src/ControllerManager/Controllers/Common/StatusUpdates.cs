using Google.Protobuf;
using KubeMesh.Client;

namespace KubeMesh.ControllerManager.Controllers.Common;

/// <summary>The last step of every sync: write the status sub-resource, and only when it changed.</summary>
internal static class StatusUpdates
{
    /// <summary>Writes <paramref name="status"/> as the object's status unless it already is; compare-and-swap on the cached resourceVersion.</summary>
    public static async Task UpdateStatusIfChangedAsync<T>(this ResourceClient<T> client, T cached, IMessage status, CancellationToken cancellationToken)
        where T : class, IMessage<T>, new()
    {
        if (Equals(client.Kind.Status(cached), status))
        {
            return;
        }

        var updated = cached.Clone();
        client.Kind.SetStatus(updated, status);
        await client.UpdateStatusAsync(updated, cancellationToken).ConfigureAwait(false);
    }
}
