namespace KubeMesh.Client;

/// <summary>
/// Notified by an informer as its cache changes (client-go's ResourceEventHandler). Handlers run on the informer's
/// loop: they should only compute a key and enqueue it, and must not modify the objects, which are the cache's.
/// </summary>
public interface IResourceEventHandler<in T>
{
    void OnAdd(T obj);

    void OnUpdate(T oldObj, T newObj);

    /// <summary>Called with the object's final state, or its last known state if the deletion was missed and found by a re-list.</summary>
    void OnDelete(T obj);
}
