using System.Collections;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ControllerManager.Tests.Unit;

/// <summary>
/// client-go's fake clientset, at the gRPC boundary: a <see cref="KubeMeshClient"/> built over it serves every kind
/// from an in-memory object tracker, records each call as an <see cref="ApiAction"/>, and answers at once, so a
/// controller's sync runs through to the end on the test's thread. Writes behave as the api-server's do where a
/// controller relies on it: generated names, uids and resourceVersions, conflicts on a stale resourceVersion,
/// status only through UpdateStatus, deletion marks while finalizers remain. Reactors fail chosen calls.
/// </summary>
public sealed class FakeClientset(TimeProvider time) : CallInvoker
{
    private const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private readonly Lock _lock = new();
    private readonly Dictionary<(ResourceKind Kind, string Namespace, string Name), IMessage> _objects = [];
    private readonly List<ApiAction> _actions = [];
    private readonly List<Func<ApiAction, RpcException?>> _reactors = [];
    private long _revision = 1000;
    private int _generated;

    public IReadOnlyList<ApiAction> Actions
    {
        get
        {
            lock (_lock)
            {
                return [.. _actions];
            }
        }
    }

    /// <summary>Creates, updates and deletes, events left out: what the controller changed.</summary>
    public IReadOnlyList<ApiAction> Writes => [.. Actions.Where(a => a.IsWrite && a.Kind != ResourceKinds.Event)];

    /// <summary>The reasons of the events recorded, in order.</summary>
    public IReadOnlyList<string> EventReasons => [.. Actions.Where(a => a is { Verb: "create", Object: Event }).Select(a => ((Event)a.Object!).Reason)];

    public void ClearActions()
    {
        lock (_lock)
        {
            _actions.Clear();
        }
    }

    /// <summary>Fails matching calls with the code, before they change anything (client-go's PrependReactor).</summary>
    public void Fail(string verb, ResourceKind kind, StatusCode code, Func<ApiAction, bool>? when = null)
    {
        lock (_lock)
        {
            _reactors.Add(a => a.Verb == verb && a.Kind == kind && (when?.Invoke(a) ?? true)
                ? new RpcException(new Status(code, $"injected {code} for {a}"))
                : null);
        }
    }

    /// <summary>Stores the object as given, filling in a uid and resourceVersion when it has none.</summary>
    public T Seed<T>(T obj)
        where T : IMessage
    {
        var kind = ResourceKinds.For(obj.Descriptor);
        var meta = kind.Metadata(obj);
        lock (_lock)
        {
            if (meta.Uid.Length == 0)
            {
                meta.Uid = NextUid();
            }

            if (meta.ResourceVersion.Length == 0)
            {
                meta.ResourceVersion = NextRevision();
            }

            _objects[(kind, meta.Namespace, meta.Name)] = obj.Clone();
        }

        return obj;
    }

    /// <summary>Stores the object as another writer would (a kubelet, another controller): with a new resourceVersion.</summary>
    public T Put<T>(T obj)
        where T : IMessage
    {
        ResourceKinds.For(obj.Descriptor).Metadata(obj).ResourceVersion = "";
        return Seed(obj);
    }

    public T? Get<T>(string ns, string name)
        where T : class, IMessage<T>, new()
    {
        lock (_lock)
        {
            return _objects.GetValueOrDefault((ResourceKinds.For(new T().Descriptor), ns, name)) is T obj ? obj.Clone() : null;
        }
    }

    public IReadOnlyList<T> List<T>(string? ns = null)
        where T : class, IMessage<T>, new()
    {
        var kind = ResourceKinds.For(new T().Descriptor);
        lock (_lock)
        {
            return [.. _objects.Where(o => o.Key.Kind == kind && (ns is null || o.Key.Namespace == ns)).Select(o => ((T)o.Value).Clone())];
        }
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        Task<TResponse> response;
        try
        {
            response = Task.FromResult((TResponse)Handle(method.ServiceName, method.Name, (IMessage)request!));
        }
        catch (RpcException e)
        {
            response = Task.FromException<TResponse>(e);
        }

        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        AsyncUnaryCall(method, host, options, request).ResponseAsync.GetAwaiter().GetResult();

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "a unit test runs no informer: fill its cache instead"));

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, method.FullName));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, method.FullName));

    private IMessage Handle(string service, string method, IMessage request)
    {
        var kind = ResourceKinds.All.FirstOrDefault(k => k.Service.FullName == service)
            ?? throw new RpcException(new Status(StatusCode.Unimplemented, $"{service}/{method}"));
        lock (_lock)
        {
            var action = method switch
            {
                "Create" => Action("create", kind, "", kind.Metadata(request), request),
                "Update" => Action("update", kind, "", kind.Metadata(request), request),
                "UpdateStatus" => Action("update", kind, "status", kind.Metadata(request), request),
                "Get" => new ApiAction("get", kind, "", ((GetRequest)request).Namespace, ((GetRequest)request).Name, null),
                "List" => new ApiAction("list", kind, "", ((ListRequest)request).Namespace, "", null),
                "Delete" => new ApiAction("delete", kind, "", ((DeleteRequest)request).Namespace, ((DeleteRequest)request).Name, request),
                _ => throw new RpcException(new Status(StatusCode.Unimplemented, $"{service}/{method}")),
            };
            _actions.Add(action);
            if (_reactors.Select(r => r(action)).FirstOrDefault(e => e is not null) is { } injected)
            {
                throw injected;
            }

            return method switch
            {
                "Create" => Create(kind, request.Clone()),
                "Update" => Update(kind, request.Clone(), statusOnly: false),
                "UpdateStatus" => Update(kind, request.Clone(), statusOnly: true),
                "Get" => Stored(kind, action.Namespace, action.Name).Clone(),
                "List" => List(kind, action.Namespace),
                _ => Delete(kind, (DeleteRequest)request),
            };
        }
    }

    private static ApiAction Action(string verb, ResourceKind kind, string subresource, ObjectMeta meta, IMessage obj) =>
        new(verb, kind, subresource, meta.Namespace, meta.Name, obj.Clone());

    private IMessage Create(ResourceKind kind, IMessage obj)
    {
        var meta = kind.Metadata(obj);
        if (meta.Name.Length == 0)
        {
            meta.Name = meta.GenerateName + GeneratedSuffix(++_generated);
        }

        if (_objects.ContainsKey((kind, meta.Namespace, meta.Name)))
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"{kind.Plural} \"{meta.Name}\" already exists"));
        }

        meta.Uid = NextUid();
        meta.ResourceVersion = NextRevision();
        meta.CreationTimestamp = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        meta.Generation = kind.HasSpec ? 1 : 0;
        _objects[(kind, meta.Namespace, meta.Name)] = obj.Clone();
        return obj;
    }

    private IMessage Update(ResourceKind kind, IMessage obj, bool statusOnly)
    {
        var meta = kind.Metadata(obj);
        var stored = Stored(kind, meta.Namespace, meta.Name);
        var storedMeta = kind.Metadata(stored);
        if (meta.ResourceVersion.Length > 0 && meta.ResourceVersion != storedMeta.ResourceVersion)
        {
            throw new RpcException(new Status(StatusCode.Aborted, $"the object has been modified; please apply your changes to the latest version"));
        }

        var updated = stored.Clone();
        if (statusOnly)
        {
            kind.SetStatus(updated, kind.Status(obj)?.Clone());
        }
        else
        {
            var status = kind.Status(stored)?.Clone();
            updated = obj.Clone();
            if (kind.HasStatus)
            {
                kind.SetStatus(updated, status);
            }

            var updatedMeta = kind.Metadata(updated);
            updatedMeta.Uid = storedMeta.Uid;
            updatedMeta.CreationTimestamp = storedMeta.CreationTimestamp;
            updatedMeta.DeletionTimestamp = storedMeta.DeletionTimestamp;
            updatedMeta.Generation = storedMeta.Generation + (Equals(kind.Spec(obj), kind.Spec(stored)) ? 0 : 1);
        }

        kind.Metadata(updated).ResourceVersion = NextRevision();
        if (kind.Metadata(updated) is { DeletionTimestamp: not null, Finalizers.Count: 0 } && !HasSpecFinalizers(updated))
        {
            _objects.Remove((kind, meta.Namespace, meta.Name));
        }
        else
        {
            _objects[(kind, meta.Namespace, meta.Name)] = updated.Clone();
        }

        return updated;
    }

    private IMessage Delete(ResourceKind kind, DeleteRequest request)
    {
        var stored = Stored(kind, request.Namespace, request.Name);
        var meta = kind.Metadata(stored);
        if (request.Preconditions?.Uid is { Length: > 0 } uid && uid != meta.Uid)
        {
            throw new RpcException(new Status(StatusCode.Aborted, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {meta.Uid}"));
        }

        var finalizer = request.PropagationPolicy switch
        {
            "Orphan" => "orphan",
            "Foreground" => "foregroundDeletion",
            _ => null,
        };
        if (finalizer is not null && !meta.Finalizers.Contains(finalizer))
        {
            meta.Finalizers.Add(finalizer);
        }

        if (meta.Finalizers.Count == 0 && !HasSpecFinalizers(stored))
        {
            _objects.Remove((kind, request.Namespace, request.Name));
            return stored;
        }

        meta.DeletionTimestamp ??= Timestamp.FromDateTimeOffset(time.GetUtcNow());
        meta.ResourceVersion = NextRevision();
        return stored.Clone();
    }

    private IMessage List(ResourceKind kind, string ns)
    {
        var list = kind.ListDescriptor.Parser.ParseFrom(ByteString.Empty);
        var items = (IList)kind.ListDescriptor.FindFieldByName("items").Accessor.GetValue(list);
        foreach (var obj in _objects.Where(o => o.Key.Kind == kind && (ns.Length == 0 || o.Key.Namespace == ns)).Select(o => o.Value))
        {
            items.Add(obj.Clone());
        }

        kind.ListDescriptor.FindFieldByName("metadata").Accessor.SetValue(list, new ListMeta { ResourceVersion = _revision.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return list;
    }

    private IMessage Stored(ResourceKind kind, string ns, string name) =>
        _objects.GetValueOrDefault((kind, ns, name)) ?? throw new RpcException(new Status(StatusCode.NotFound, $"{kind.Plural} \"{name}\" not found"));

    private static bool HasSpecFinalizers(IMessage obj) => obj is Namespace { Spec.Finalizers.Count: > 0 };

    private string NextRevision() => (++_revision).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string NextUid() => $"uid-{++_generated}";

    /// <summary>Five characters from the api-server's alphabet, counted rather than random so runs repeat.</summary>
    private static string GeneratedSuffix(int n)
    {
        var chars = new char[5];
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            chars[i] = NameAlphabet[n % NameAlphabet.Length];
            n /= NameAlphabet.Length;
        }

        return new string(chars);
    }
}
