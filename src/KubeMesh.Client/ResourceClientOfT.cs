using System.Runtime.CompilerServices;
using Google.Protobuf;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.Client;

/// <summary>The typed face of <see cref="ResourceClient"/> (client-go's typed clientset), for one message type.</summary>
public sealed class ResourceClient<T>(ResourceClient inner)
    where T : class, IMessage<T>, new()
{
    public ResourceClient Untyped { get; } = inner;

    public ResourceKind Kind => Untyped.Kind;

    public async Task<T> CreateAsync(T obj, CancellationToken cancellationToken = default) =>
        (T)await Untyped.CreateAsync(obj, cancellationToken).ConfigureAwait(false);

    public async Task<T> GetAsync(string @namespace, string name, CancellationToken cancellationToken = default) =>
        (T)await Untyped.GetAsync(@namespace, name, cancellationToken).ConfigureAwait(false);

    public async Task<ResourceList<T>> ListAsync(ListRequest request, CancellationToken cancellationToken = default)
    {
        var list = await Untyped.ListAsync(request, cancellationToken).ConfigureAwait(false);
        return new ResourceList<T>(list.Items.Cast<T>().ToArray(), list.ResourceVersion, list.Continue);
    }

    public async Task<T> UpdateAsync(T obj, CancellationToken cancellationToken = default) =>
        (T)await Untyped.UpdateAsync(obj, cancellationToken).ConfigureAwait(false);

    public async Task<T> UpdateStatusAsync(T obj, CancellationToken cancellationToken = default) =>
        (T)await Untyped.UpdateStatusAsync(obj, cancellationToken).ConfigureAwait(false);

    public async Task<T> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default) =>
        (T)await Untyped.DeleteAsync(request, cancellationToken).ConfigureAwait(false);

    public Task<T> DeleteAsync(string @namespace, string name, CancellationToken cancellationToken = default) =>
        DeleteAsync(new DeleteRequest { Namespace = @namespace, Name = name }, cancellationToken);

    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(
        WatchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var e in Untyped.WatchAsync(request, cancellationToken).ConfigureAwait(false))
        {
            yield return new WatchEvent<T>(e.Type, (T)e.Object) { TraceContext = e.TraceContext };
        }
    }
}
