using Google.Protobuf;
using Google.Protobuf.Reflection;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.Api.Resources;

/// <summary>
/// What the api-server and its clients know about one kind: its names, whether it lives in a namespace,
/// and generic access to metadata, spec and status through protobuf reflection.
/// </summary>
public class ResourceKind
{
    private readonly FieldDescriptor _metadata;
    private readonly FieldDescriptor? _spec;
    private readonly FieldDescriptor? _status;
    private readonly FieldDescriptor _apiVersionField;
    private readonly FieldDescriptor _kindField;

    public ResourceKind(
        string group, string kind, string plural, bool namespaced, MessageDescriptor descriptor,
        MessageDescriptor listDescriptor, MessageDescriptor watchEventDescriptor, ServiceDescriptor service,
        params string[] shortNames)
    {
        Group = group;
        Kind = kind;
        Plural = plural;
        Namespaced = namespaced;
        Descriptor = descriptor;
        ListDescriptor = listDescriptor;
        WatchEventDescriptor = watchEventDescriptor;
        Service = service;
        ShortNames = shortNames;
        _metadata = descriptor.FindFieldByName("metadata");
        _spec = descriptor.FindFieldByName("spec");
        _status = descriptor.FindFieldByName("status");
        _apiVersionField = descriptor.FindFieldByName("api_version");
        _kindField = descriptor.FindFieldByName("kind");
        ApiVersion = group.Length == 0 ? Version : $"{group}/{Version}";
    }

    /// <summary>API group: "" for the core group, else "apps", "batch", ...</summary>
    public string Group { get; }

    public string Kind { get; }

    public string Version => "v1";

    public string ApiVersion { get; }

    /// <summary>The plural resource name used in URLs and by kubectl: "pods".</summary>
    public string Plural { get; }

    public string Singular => Kind.ToLowerInvariant();

    public IReadOnlyList<string> ShortNames { get; }

    /// <summary>The groupings kubectl can name instead of kinds, as "all" in <c>kubectl get all</c>.</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    public bool Namespaced { get; }

    public MessageDescriptor Descriptor { get; }

    public MessageDescriptor ListDescriptor { get; }

    public MessageDescriptor WatchEventDescriptor { get; }

    /// <summary>The gRPC service serving this kind, as in kubemesh.core.v1.PodService.</summary>
    public ServiceDescriptor Service { get; }

    /// <summary>Kinds with a status sub-resource ignore status on Update and only take it through UpdateStatus.</summary>
    public bool HasStatus => _status is not null && Service.FindMethodByName("UpdateStatus") is not null;

    public bool HasSpec => _spec is not null;

    /// <summary>"Pod.kubemesh.core.v1" style key used for storage prefixes: the plural with its group.</summary>
    public string GroupResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public IMessage New() => Descriptor.Parser.ParseFrom(ByteString.Empty);

    public IMessage Parse(ReadOnlySpan<byte> data) => Descriptor.Parser.ParseFrom(data);

    public IMessage Parse(ByteString data) => Descriptor.Parser.ParseFrom(data);

    /// <summary>The object's metadata, created and attached if missing.</summary>
    public ObjectMeta Metadata(IMessage obj)
    {
        if (_metadata.Accessor.GetValue(obj) is ObjectMeta meta)
        {
            return meta;
        }

        meta = new ObjectMeta();
        _metadata.Accessor.SetValue(obj, meta);
        return meta;
    }

    public IMessage? Spec(IMessage obj) => _spec?.Accessor.GetValue(obj) as IMessage;

    public void SetSpec(IMessage obj, IMessage? spec) => SetOrClear(_spec, obj, spec);

    public IMessage? Status(IMessage obj) => _status?.Accessor.GetValue(obj) as IMessage;

    public void SetStatus(IMessage obj, IMessage? status) => SetOrClear(_status, obj, status);

    /// <summary>Sets apiVersion and kind, which are not stored but always returned.</summary>
    public void SetTypeMeta(IMessage obj)
    {
        _apiVersionField.Accessor.SetValue(obj, ApiVersion);
        _kindField.Accessor.SetValue(obj, Kind);
    }

    /// <summary>Clears apiVersion and kind, as the store keeps objects.</summary>
    public void ClearTypeMeta(IMessage obj)
    {
        _apiVersionField.Accessor.Clear(obj);
        _kindField.Accessor.Clear(obj);
    }

    public bool Matches(string name) =>
        string.Equals(name, Plural, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, Singular, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, Kind, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, $"{Plural}.{Group}", StringComparison.OrdinalIgnoreCase)
        || ShortNames.Any(s => string.Equals(name, s, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => $"{ApiVersion}, Kind={Kind}";

    private static void SetOrClear(FieldDescriptor? field, IMessage obj, IMessage? value)
    {
        if (field is null)
        {
            return;
        }

        if (value is null)
        {
            field.Accessor.Clear(obj);
        }
        else
        {
            field.Accessor.SetValue(obj, value);
        }
    }
}
