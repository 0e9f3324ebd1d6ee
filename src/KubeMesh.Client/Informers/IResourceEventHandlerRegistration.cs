namespace KubeMesh.Client;

/// <summary>
/// A handler added to an informer (client-go's ResourceEventHandlerRegistration). It has synced once the informer
/// has listed and this handler has been given every object of that list, so a consumer that builds state from
/// its events (an index, expectations) can start work knowing that state is complete.
/// </summary>
public interface IResourceEventHandlerRegistration : ICacheSync
{
    /// <summary>How often the handler is given every cached object again as an update; zero for never.</summary>
    TimeSpan ResyncPeriod { get; }
}
