using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMesh.ApiServer.Rest.Patch;

/// <summary>
/// Applies a strategic merge patch (application/strategic-merge-patch+json) as kube-apiserver does
/// (apimachinery's strategicpatch.StrategicMergeMapPatch, server side): objects merge key by key and null deletes;
/// lists with the merge strategy merge their items by merge key (or as sets of scalars), other lists are replaced;
/// and the directives $patch: replace|delete|merge, $retainKeys, $setElementOrder/LIST and
/// $deleteFromPrimitiveList/LIST do what kubectl's client-side apply means by them.
/// </summary>
public static partial class StrategicMergePatch
{
    private const string Directive = "$patch";
    private const string RetainKeys = "$retainKeys";
    private const string SetElementOrderPrefix = "$setElementOrder/";
    private const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";

    /// <summary>The patched object; neither argument is changed.</summary>
    /// <exception cref="PatchException">The patch is malformed for the object.</exception>
    public static JsonObject Apply(JsonObject original, JsonObject patch, PatchSchema schema) =>
        MergeMap((JsonObject)original.DeepClone(), (JsonObject)patch.DeepClone(), schema);

    private static JsonObject MergeMap(JsonObject original, JsonObject patch, PatchSchema schema)
    {
        if (patch.TryGetPropertyValue(Directive, out var directive))
        {
            switch (String(directive))
            {
                case "replace":
                    // The map is the patch itself, not merged with what was there.
                    patch.Remove(Directive);
                    return (JsonObject)(JsonValues.WithoutDirectives(patch, out _) ?? new JsonObject());
                case "delete":
                    return [];
                default:
                    throw new PatchException($"Unknown patch type: {directive?.ToJsonString()} in map: {patch.ToJsonString()}");
            }
        }

        ApplyRetainKeys(original, patch);
        MergeOrderedLists(original, patch, schema);
        foreach (var (rawKey, patchValue) in patch.ToList())
        {
            var key = rawKey;
            var deleteList = key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal);
            if (deleteList)
            {
                key = key[DeleteFromPrimitiveListPrefix.Length..];
                if (key.Length == 0)
                {
                    throw new PatchException("invalid patch format of $deleteFromPrimitiveList: a list name must follow the prefix");
                }
            }
            else if (key.StartsWith('$'))
            {
                throw new PatchException($"unknown directive {rawKey} in the patch");
            }

            if (patchValue is null)
            {
                original.Remove(key);
                continue;
            }

            if (!original.TryGetPropertyValue(key, out var originalValue) || originalValue is null
                || JsonValues.Category(originalValue) != JsonValues.Category(patchValue))
            {
                if (!deleteList)
                {
                    TakeWhole(original, key, patchValue);
                }

                continue;
            }

            switch (originalValue)
            {
                case JsonObject originalMap:
                    var (sub, strategy, _) = schema.Lookup(key);
                    original[key] = Strategy(strategy) == "replace"
                        ? JsonValues.WithoutDirectives(patchValue, out _)
                        : MergeMap((JsonObject)originalMap.DeepClone(), (JsonObject)patchValue.DeepClone(), sub);
                    break;
                case JsonArray originalList:
                    var (itemSchema, listStrategy, mergeKey) = schema.Lookup(key);
                    original[key] = MergeListField(originalList, (JsonArray)patchValue, itemSchema, Strategy(listStrategy), mergeKey, deleteList);
                    break;
                default:
                    TakeWhole(original, key, patchValue);
                    break;
            }
        }

        return original;
    }

    private static void TakeWhole(JsonObject original, string key, JsonNode patchValue)
    {
        var value = JsonValues.WithoutDirectives(JsonValues.WithoutNulls(patchValue), out var keep);
        if (keep)
        {
            original[key] = value;
        }
        else
        {
            original.Remove(key);
        }
    }

    /// <summary>$retainKeys: keys of the original missing from the list are cleared (a union switching member).</summary>
    private static void ApplyRetainKeys(JsonObject original, JsonObject patch)
    {
        if (!patch.TryGetPropertyValue(RetainKeys, out var retain))
        {
            return;
        }

        patch.Remove(RetainKeys);
        if (retain is not JsonArray list || list.Any(k => k is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
        {
            throw new PatchException("invalid patch format of retainKeys: the value must be a list of field names");
        }

        var keep = list.Select(k => k!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in patch)
        {
            if (value is not null && !key.StartsWith('$') && !keep.Contains(key))
            {
                throw new PatchException($"invalid patch format of retainKeys: {key} is patched but not in the $retainKeys list");
            }
        }

        foreach (var key in original.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList())
        {
            original.Remove(key);
        }
    }

    /// <summary>"merge,retainKeys" is merge for the list; retainKeys itself is applied by its directive.</summary>
    private static string Strategy(string strategies)
    {
        var parts = strategies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(s => s != "retainKeys").ToList();
        return parts.Count switch
        {
            0 => "",
            1 => parts[0],
            _ => throw new PatchException($"unexpected patch strategy: {strategies}"),
        };
    }

    private static string? String(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node?.ToJsonString();
}
