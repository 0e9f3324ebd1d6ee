using System.Collections;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.Client;

/// <summary>
/// Create/Get/List/Update/UpdateStatus/Delete/Watch for one kind, over untyped messages (client-go's dynamic
/// client). Errors are the api-server's <see cref="RpcException"/>s: NotFound, AlreadyExists, Aborted (conflict),
/// InvalidArgument, OutOfRange (watch expired).
/// </summary>
public sealed class ResourceClient
{
    private readonly CallInvoker _invoker;
    private readonly ResourceMethods _methods;
    private readonly FieldDescriptor _listItems;
    private readonly FieldDescriptor _listMetadata;
    private readonly FieldDescriptor _eventType;
    private readonly FieldDescriptor _eventObject;
    private readonly FieldDescriptor? _eventTraceParent;

    public ResourceClient(CallInvoker invoker, ResourceKind kind)
    {
        _invoker = invoker;
        _methods = new ResourceMethods(kind);
        _listItems = Field(kind.ListDescriptor, "items");
        _listMetadata = Field(kind.ListDescriptor, "metadata");
        _eventType = Field(kind.WatchEventDescriptor, "type");
        _eventObject = Field(kind.WatchEventDescriptor, "object");
        _eventTraceParent = kind.WatchEventDescriptor.FindFieldByName(WorkTracing.TraceParentField);
    }

    public ResourceKind Kind => _methods.Kind;

    public Task<IMessage> CreateAsync(IMessage obj, CancellationToken cancellationToken = default) =>
        UnaryAsync(_methods.Create, CheckKind(obj), cancellationToken);

    public Task<IMessage> GetAsync(string @namespace, string name, CancellationToken cancellationToken = default) =>
        UnaryAsync(_methods.Get, new GetRequest { Namespace = @namespace, Name = name }, cancellationToken);

    public async Task<ResourceList<IMessage>> ListAsync(ListRequest request, CancellationToken cancellationToken = default)
    {
        var list = await UnaryAsync(_methods.List, request, cancellationToken).ConfigureAwait(false);
        var items = ((IList)_listItems.Accessor.GetValue(list)).Cast<IMessage>().ToArray();
        var metadata = _listMetadata.Accessor.GetValue(list) as ListMeta;
        return new ResourceList<IMessage>(items, metadata?.ResourceVersion ?? "", metadata?.Continue ?? "");
    }

    /// <summary>Replaces the object; its metadata.resourceVersion must be the stored one, else Aborted.</summary>
    public Task<IMessage> UpdateAsync(IMessage obj, CancellationToken cancellationToken = default) =>
        UnaryAsync(_methods.Update, CheckKind(obj), cancellationToken);

    /// <summary>Writes only the status sub-resource; compare-and-swap like <see cref="UpdateAsync"/>.</summary>
    public Task<IMessage> UpdateStatusAsync(IMessage obj, CancellationToken cancellationToken = default)
    {
        var method = _methods.UpdateStatus
            ?? throw new NotSupportedException($"{Kind.Plural} have no status sub-resource");
        return UnaryAsync(method, CheckKind(obj), cancellationToken);
    }

    public Task<IMessage> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default) =>
        UnaryAsync(_methods.Delete, request, cancellationToken);

    /// <summary>
    /// Streams changes after request.resourceVersion until the server ends the stream or the token is cancelled.
    /// An expired resourceVersion fails with OutOfRange: list again and watch from the list's revision. Each event
    /// carries the trace context of the write that made it, where that write was traced.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent<IMessage>> WatchAsync(
        WatchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var call = _invoker.AsyncServerStreamingCall(_methods.Watch, null, new CallOptions(cancellationToken: cancellationToken), request);
        while (await MoveNextAsync(call.ResponseStream, cancellationToken).ConfigureAwait(false))
        {
            var message = call.ResponseStream.Current;
            var type = (string)_eventType.Accessor.GetValue(message);
            var obj = _eventObject.Accessor.GetValue(message) as IMessage ?? Kind.New();
            var traceParent = _eventTraceParent is null ? null : (string)_eventTraceParent.Accessor.GetValue(message);
            yield return new WatchEvent<IMessage>(ParseType(type), obj) { TraceContext = WorkTracing.Parse(traceParent) };
        }
    }

    private async Task<IMessage> UnaryAsync(Method<IMessage, IMessage> method, IMessage request, CancellationToken cancellationToken)
    {
        try
        {
            using var call = _invoker.AsyncUnaryCall(method, null, new CallOptions(cancellationToken: cancellationToken), request);
            return await call.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw ChannelGaveUp(e);
        }
    }

    private static async Task<bool> MoveNextAsync(IAsyncStreamReader<IMessage> stream, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.MoveNext(cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw ChannelGaveUp(e);
        }
    }

    /// <summary>
    /// A call the channel itself cancelled: with several replicas, a call set up while the replica it picked went away
    /// (its connection attempt cancelled) ends in a TaskCanceledException although the caller cancelled nothing. A
    /// caller takes an OperationCanceledException for its own cancellation and stops (a raw watch loop ended that way
    /// and missed every later event), so it is reported as what it is: the api-server was unavailable, try again.
    /// </summary>
    private static RpcException ChannelGaveUp(OperationCanceledException e) =>
        new(new Status(StatusCode.Unavailable, "the call was cancelled by the channel, not by the caller: " + e.Message, e));

    private static WatchEventType ParseType(string type) => type switch
    {
        "ADDED" => WatchEventType.Added,
        "MODIFIED" => WatchEventType.Modified,
        "DELETED" => WatchEventType.Deleted,
        "BOOKMARK" => WatchEventType.Bookmark,
        _ => throw new FormatException($"unknown watch event type \"{type}\""),
    };

    private IMessage CheckKind(IMessage obj) =>
        obj.Descriptor == Kind.Descriptor
            ? obj
            : throw new ArgumentException($"expected a {Kind.Kind}, got a {obj.Descriptor.Name}", nameof(obj));

    private static FieldDescriptor Field(MessageDescriptor message, string name) =>
        message.FindFieldByName(name) ?? throw new InvalidOperationException($"{message.FullName} has no field {name}");
}
