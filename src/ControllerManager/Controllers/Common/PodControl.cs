using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.ControllerManager.Controllers.Common;

/// <summary>
/// kube's controller.PodControl together with its expectations: creates an owner's pods in slow-start batches and
/// deletes them with each pod's uid as precondition, records SuccessfulCreate, FailedCreate, SuccessfulDelete and
/// FailedDelete events on the owner, and stops expecting the creates and deletes that failed, which no informer
/// will ever report.
/// </summary>
internal sealed class PodControl(ResourceClient<Pod> pods, EventRecorder recorder, ControllerExpectations expectations)
{
    /// <summary>Creates <paramref name="count"/> pods, the i-th from newPod(i); throws the first error once its batch is done.</summary>
    public Task<int> CreatePodsAsync(IMessage owner, string key, int count, Func<int, Pod> newPod, CancellationToken cancellationToken)
    {
        expectations.ExpectCreations(key, count);
        return CreateAsync(owner, key, count, newPod, cancellationToken);
    }

    /// <summary>Deletes the pods at once; a pod already gone counts as deleted; throws the first other error after all were tried.</summary>
    public Task DeletePodsAsync(IMessage owner, string key, IReadOnlyCollection<Pod> victims, CancellationToken cancellationToken)
    {
        if (victims.Count == 0)
        {
            return Task.CompletedTask;
        }

        expectations.ExpectDeletions(key, victims.Select(p => MetaNamespaceKey.For(p.Metadata)));
        return DeleteAsync(owner, key, victims, cancellationToken);
    }

    /// <summary>Creates and deletes in one sync, expecting both at once; the deletes are tried even when a create failed.</summary>
    public async Task CreateAndDeletePodsAsync(
        IMessage owner, string key, int count, Func<int, Pod> newPod, IReadOnlyCollection<Pod> victims, CancellationToken cancellationToken)
    {
        expectations.SetExpectations(key, count, victims.Select(p => MetaNamespaceKey.For(p.Metadata)));
        Exception? createError = null;
        if (count > 0)
        {
            try
            {
                await CreateAsync(owner, key, count, newPod, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                createError = e;
            }
        }

        if (victims.Count > 0)
        {
            await DeleteAsync(owner, key, victims, cancellationToken).ConfigureAwait(false);
        }

        if (createError is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(createError);
        }
    }

    private async Task<int> CreateAsync(IMessage owner, string key, int count, Func<int, Pod> newPod, CancellationToken cancellationToken)
    {
        var next = -1;
        var created = await SlowStartBatch.RunAsync(count, async () =>
        {
            var pod = await pods.CreateAsync(newPod(Interlocked.Increment(ref next)), cancellationToken).ConfigureAwait(false);
            recorder.Event(owner, EventTypes.Normal, "SuccessfulCreate", $"Created pod: {pod.Metadata.Name}");
        }, e => recorder.Event(owner, EventTypes.Warning, "FailedCreate", $"Error creating: {ErrorMessage(e)}")).ConfigureAwait(false);

        // Creates that failed or never ran will not be observed.
        for (var i = created.Succeeded; i < count; i++)
        {
            expectations.CreationObserved(key);
        }

        created.ThrowIfFailed();
        return created.Succeeded;
    }

    private async Task DeleteAsync(IMessage owner, string key, IReadOnlyCollection<Pod> victims, CancellationToken cancellationToken)
    {
        var errors = new List<Exception>();
        await Task.WhenAll(victims.Select(async pod =>
        {
            try
            {
                var request = new DeleteRequest { Namespace = pod.Metadata.Namespace, Name = pod.Metadata.Name, Preconditions = new() { Uid = pod.Metadata.Uid } };
                await pods.DeleteAsync(request, cancellationToken).ConfigureAwait(false);
                recorder.Event(owner, EventTypes.Normal, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
            }
            catch (RpcException e)
            {
                expectations.DeletionObserved(key, MetaNamespaceKey.For(pod.Metadata));
                if (e.StatusCode != StatusCode.NotFound)
                {
                    recorder.Event(owner, EventTypes.Warning, "FailedDelete", $"Error deleting: {ErrorMessage(e)}");
                    lock (errors)
                    {
                        errors.Add(e);
                    }
                }
            }
        })).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(errors[0]);
        }
    }

    private static string ErrorMessage(Exception e) => e is RpcException rpc ? rpc.Status.Detail : e.Message;
}
