namespace KubeMesh.Client;

/// <summary>
/// A cache whose first full list a consumer waits for before trusting what it reads (client-go's InformerSynced):
/// an informer, or one handler's registration on it.
/// </summary>
public interface ICacheSync
{
    /// <summary>What is being synced, for logs: the resource ("pods"), or the resource and the handler's place.</summary>
    string Name { get; }

    bool HasSynced { get; }

    Task WaitForSyncAsync(CancellationToken cancellationToken);
}
