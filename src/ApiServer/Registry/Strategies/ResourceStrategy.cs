using Google.Protobuf;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Registry.Strategies;

/// <summary>
/// Per-kind behaviour of the generic registry, as kube-apiserver's rest.RESTCreateStrategy and
/// RESTUpdateStrategy: what the server resets or keeps on create and update.
/// </summary>
public class ResourceStrategy(ResourceKind kind)
{
    public ResourceKind Kind => kind;

    /// <summary>Resets what a client may not set on create. By default status starts empty.</summary>
    public virtual void PrepareForCreate(IMessage obj)
    {
        if (kind.HasStatus)
        {
            kind.SetStatus(obj, null);
        }
    }

    /// <summary>Carries over what Update must not change. By default status is only written through UpdateStatus.</summary>
    public virtual void PrepareForUpdate(IMessage updated, IMessage old)
    {
        if (kind.HasStatus)
        {
            kind.SetStatus(updated, kind.Status(old)?.Clone());
        }
    }

    /// <summary>Takes what a new object needs from shared pools (a Service's cluster IP and node ports), after validation.</summary>
    public virtual Task<Reservation> ReserveForCreateAsync(IMessage obj, bool dryRun) => Task.FromResult(new Reservation());

    /// <summary>Takes what an update newly needs; what it no longer needs is released when the update is stored.</summary>
    public virtual Task<Reservation> ReserveForUpdateAsync(IMessage updated, IMessage old, bool dryRun) => Task.FromResult(new Reservation());

    /// <summary>Gives back what a removed object held.</summary>
    public virtual Task ReleaseAfterDeleteAsync(IMessage deleted) => Task.CompletedTask;

    /// <summary>Refuses a delete the kind never allows (kube-apiserver's rest.RESTDeleteStrategy and admission); by default none.</summary>
    public virtual void CheckDelete(IMessage obj)
    {
    }

    /// <summary>Whether Delete should only mark the object (graceful deletion) instead of removing it now.</summary>
    public virtual long? GracefulDeletionSeconds(IMessage obj, long? requested) => null;

    /// <summary>Whether deletion still waits on finalizers kept outside metadata.finalizers (a namespace's spec.finalizers).</summary>
    public virtual bool HasSpecFinalizers(IMessage obj) => false;

    /// <summary>Changes an object marked for deletion carries besides its deletionTimestamp (a namespace becomes Terminating).</summary>
    public virtual void PrepareForDeletionMark(IMessage obj)
    {
    }

    /// <summary>Learns of a write this api-server stored (<paramref name="written"/> null: removed) at its revision.</summary>
    public virtual void AfterStored(string name, long revision, IMessage? written)
    {
    }
}
