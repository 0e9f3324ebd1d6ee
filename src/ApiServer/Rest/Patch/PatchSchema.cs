using Google.Protobuf.Reflection;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.ApiServer.Rest.Patch;

/// <summary>
/// Where a strategic merge patch is in an object, and what each key's patch strategy and merge key are (kube's
/// LookupPatchMeta): read from the fields' patch_strategy and patch_merge_key options, which mirror the
/// patchStrategy and patchMergeKey tags of Kubernetes' Go types. Keys of maps and free-form JSON have none: objects
/// merge and lists are replaced.
/// </summary>
public sealed class PatchSchema
{
    private static readonly PatchSchema FreeForm = new(null, null);
    private readonly MessageDescriptor? _message;
    private readonly FieldDescriptor? _mapValue;

    private PatchSchema(MessageDescriptor? message, FieldDescriptor? mapValue)
    {
        _message = message;
        _mapValue = mapValue;
    }

    public static PatchSchema For(MessageDescriptor message) => new(message, null);

    /// <summary>No strategies anywhere: objects merge, lists are replaced (a Scale, free-form JSON).</summary>
    public static PatchSchema Untyped => FreeForm;

    /// <summary>The schema under an object key, and its strategy ("merge", "replace", "retainKeys" or "merge,retainKeys").</summary>
    public (PatchSchema Schema, string Strategy, string MergeKey) Lookup(string key)
    {
        if (_mapValue is not null)
        {
            return (Element(_mapValue), "", "");
        }

        var field = _message?.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == key || f.Name == key);
        if (field is null)
        {
            return (FreeForm, "", "");
        }

        var options = field.GetOptions();
        var strategy = options?.GetExtension(PatchExtensions.PatchStrategy) ?? "";
        var mergeKey = options?.GetExtension(PatchExtensions.PatchMergeKey) ?? "";
        if (field.IsMap)
        {
            return (new PatchSchema(null, field.MessageType.FindFieldByNumber(2)), strategy, mergeKey);
        }

        return (Element(field), strategy, mergeKey);
    }

    public string Name => _message?.Name ?? "map";

    private static PatchSchema Element(FieldDescriptor field) =>
        field.FieldType == FieldType.Message && !field.MessageType.FullName.StartsWith("google.protobuf.", StringComparison.Ordinal)
            ? For(field.MessageType)
            : FreeForm;
}
