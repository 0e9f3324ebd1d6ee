using System.Collections.Frozen;
using Google.Protobuf;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.Api.Selectors;

/// <summary>
/// The fields each kind can be selected by, with the values Kubernetes gives them (its per-kind
/// GetAttrs/ToSelectableFields): metadata.name and metadata.namespace everywhere, plus a few per kind.
/// </summary>
public static class ObjectFields
{
    private static readonly FrozenDictionary<string, Func<IMessage, string>> NoExtraFields =
        FrozenDictionary<string, Func<IMessage, string>>.Empty;

    private static readonly FrozenDictionary<ResourceKind, FrozenDictionary<string, Func<IMessage, string>>> ByKind =
        new Dictionary<ResourceKind, FrozenDictionary<string, Func<IMessage, string>>>
        {
            [ResourceKinds.Pod] = Fields<Pod>(new()
            {
                ["spec.nodeName"] = p => p.Spec?.NodeName ?? "",
                ["spec.restartPolicy"] = p => p.Spec?.RestartPolicy ?? "",
                ["spec.schedulerName"] = p => p.Spec?.SchedulerName ?? "",
                ["spec.serviceAccountName"] = p => p.Spec?.ServiceAccountName ?? "",
                ["spec.hostNetwork"] = p => Bool(p.Spec?.HostNetwork ?? false),
                ["status.phase"] = p => p.Status?.Phase ?? "",
                ["status.podIP"] = p => p.Status?.PodIp ?? "",
                ["status.nominatedNodeName"] = p => p.Status?.NominatedNodeName ?? "",
            }),
            [ResourceKinds.Event] = Fields<Event>(new()
            {
                ["involvedObject.kind"] = e => e.InvolvedObject?.Kind ?? "",
                ["involvedObject.namespace"] = e => e.InvolvedObject?.Namespace ?? "",
                ["involvedObject.name"] = e => e.InvolvedObject?.Name ?? "",
                ["involvedObject.uid"] = e => e.InvolvedObject?.Uid ?? "",
                ["involvedObject.apiVersion"] = e => e.InvolvedObject?.ApiVersion ?? "",
                ["involvedObject.resourceVersion"] = e => e.InvolvedObject?.ResourceVersion ?? "",
                ["involvedObject.fieldPath"] = e => e.InvolvedObject?.FieldPath ?? "",
                ["reason"] = e => e.Reason,
                ["reportingComponent"] = e => e.ReportingComponent,
                ["source"] = e => e.Source?.Component ?? "",
                ["type"] = e => e.Type,
            }),
            [ResourceKinds.Secret] = Fields<Secret>(new() { ["type"] = s => s.Type }),
            [ResourceKinds.Node] = Fields<Node>(new() { ["spec.unschedulable"] = n => Bool(n.Spec?.Unschedulable ?? false) }),
            [ResourceKinds.Namespace] = Fields<Namespace>(new() { ["status.phase"] = n => n.Status?.Phase ?? "" }),
        }.ToFrozenDictionary();

    public static bool IsSupported(ResourceKind kind, string path) =>
        path is "metadata.name" or "metadata.namespace" || ExtraFields(kind).ContainsKey(path);

    public static IEnumerable<string> SupportedFields(ResourceKind kind) =>
        new[] { "metadata.name", "metadata.namespace" }.Concat(ExtraFields(kind).Keys.Order(StringComparer.Ordinal));

    /// <summary>The field's value, "" where the object leaves it unset, or null if the kind has no such field.</summary>
    public static string? Get(ResourceKind kind, IMessage obj, string path)
    {
        switch (path)
        {
            case "metadata.name":
                return MetadataOf(kind, obj)?.Name ?? "";
            case "metadata.namespace":
                return MetadataOf(kind, obj)?.Namespace ?? "";
        }

        return ExtraFields(kind).TryGetValue(path, out var get) ? get(obj) : null;
    }

    private static FrozenDictionary<string, Func<IMessage, string>> ExtraFields(ResourceKind kind) =>
        ByKind.TryGetValue(kind, out var fields) ? fields : NoExtraFields;

    // Read without ResourceKind.Metadata, which would attach an empty metadata to the object it reads.
    private static ObjectMeta? MetadataOf(ResourceKind kind, IMessage obj) =>
        kind.Descriptor.FindFieldByName("metadata").Accessor.GetValue(obj) as ObjectMeta;

    private static string Bool(bool value) => value ? "true" : "false";

    private static FrozenDictionary<string, Func<IMessage, string>> Fields<T>(Dictionary<string, Func<T, string>> fields)
        where T : IMessage =>
        fields.ToFrozenDictionary(f => f.Key, f => (Func<IMessage, string>)(obj => f.Value((T)obj)), StringComparer.Ordinal);
}
