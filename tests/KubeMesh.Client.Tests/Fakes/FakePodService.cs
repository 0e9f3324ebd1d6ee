using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Selectors;

namespace KubeMesh.Client.Tests.Fakes;

/// <summary>PodService over <see cref="FakePodStore"/>, filtering by namespace and selectors as the api-server does.</summary>
public sealed class FakePodService(FakePodStore store) : PodService.PodServiceBase
{
    public override Task<Pod> Create(Pod request, ServerCallContext context) => Task.FromResult(store.Create(request));

    public override Task<Pod> Get(GetRequest request, ServerCallContext context) =>
        Task.FromResult(store.Get(request.Namespace, request.Name)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"pods \"{request.Name}\" not found")));

    public override Task<PodList> List(ListRequest request, ServerCallContext context) =>
        Task.FromResult(store.List(Filter(request.Namespace, request.LabelSelector, request.FieldSelector)));

    public override Task<Pod> Update(Pod request, ServerCallContext context) => Task.FromResult(store.Update(request));

    public override Task<Pod> Delete(DeleteRequest request, ServerCallContext context) =>
        Task.FromResult(store.Delete(request.Namespace, request.Name));

    public override async Task Watch(WatchRequest request, IServerStreamWriter<PodWatchEvent> responseStream, ServerCallContext context)
    {
        var filter = Filter(request.Namespace, request.LabelSelector, request.FieldSelector);
        var events = store.Watch(request);
        try
        {
            await foreach (var e in events.ReadAllAsync(context.CancellationToken))
            {
                if (filter(e.Object))
                {
                    await responseStream.WriteAsync(e, context.CancellationToken);
                }
            }
        }
        finally
        {
            store.Unwatch(events);
        }
    }

    private static Func<Pod, bool> Filter(string @namespace, string labelSelector, string fieldSelector)
    {
        LabelSelectorExpression labels;
        FieldSelector fields;
        try
        {
            labels = LabelSelectorExpression.Parse(labelSelector);
            fields = FieldSelector.Parse(fieldSelector, ResourceKinds.Pod);
        }
        catch (FormatException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }

        return pod => (@namespace.Length == 0 || pod.Metadata.Namespace == @namespace)
            && labels.Matches(pod.Metadata.Labels)
            && fields.Matches(ResourceKinds.Pod, pod);
    }
}
