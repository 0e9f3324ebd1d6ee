using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMesh.ApiServer.Rest.Patch;

public static partial class StrategicMergePatch
{
    /// <summary>mergeSliceHandler: merge-strategy lists (and $deleteFromPrimitiveList lists) merge; others are the patch's list.</summary>
    private static JsonArray MergeListField(JsonArray original, JsonArray patch, PatchSchema itemSchema, string strategy, string mergeKey, bool deleteList) =>
        strategy == "merge" || deleteList
            ? MergeList(Items(original), Items(patch), itemSchema, mergeKey, deleteList)
            : (JsonArray)patch.DeepClone();

    private static JsonArray MergeList(List<JsonNode?> original, List<JsonNode?> patch, PatchSchema itemSchema, string mergeKey, bool deleteList)
    {
        if (original.Count == 0 && patch.Count == 0)
        {
            return [];
        }

        var kind = ElementKind(original, patch);
        List<JsonNode?> merged;
        if (kind != JsonValueKind.Object)
        {
            if (deleteList)
            {
                return new JsonArray(original.Where(o => !patch.Any(p => JsonValues.Same(o, p))).Select(o => o?.DeepClone()).ToArray());
            }

            merged = Distinct(original.Concat(patch));
        }
        else
        {
            if (mergeKey.Length == 0)
            {
                throw new PatchException($"cannot merge lists without merge key for {itemSchema.Name}");
            }

            (original, patch) = SpecialElements(original, patch, mergeKey);
            merged = MergeByKey(original, patch, itemSchema, mergeKey);
        }

        var (patchItems, serverOnly) = Partition(merged, patch, mergeKey, kind);
        return new JsonArray(NormalizeOrder(patchItems, serverOnly, patch, original, mergeKey, kind).Select(i => i?.DeepClone()).ToArray());
    }

    /// <summary>Items marked $patch: delete remove their match; $patch: replace makes the patch's items the whole list.</summary>
    private static (List<JsonNode?> Original, List<JsonNode?> Patch) SpecialElements(List<JsonNode?> original, List<JsonNode?> patch, string mergeKey)
    {
        var plain = new List<JsonNode?>();
        var replace = false;
        foreach (var item in patch)
        {
            var map = (JsonObject)item!;
            if (!map.TryGetPropertyValue(Directive, out var directive))
            {
                plain.Add(item);
                continue;
            }

            switch (String(directive))
            {
                case "delete":
                    var value = map.TryGetPropertyValue(mergeKey, out var v) ? v : throw new PatchException($"map: {map.ToJsonString()} does not contain declared merge key: {mergeKey}");
                    original = original.Where(o => !JsonValues.Same(((JsonObject)o!)[mergeKey], value)).ToList();
                    break;
                case "replace":
                    replace = true;
                    break;
                case "merge":
                    throw new PatchException("merging lists cannot yet be specified in the patch");
                default:
                    throw new PatchException($"Unknown patch type: {directive?.ToJsonString()} in map: {map.ToJsonString()}");
            }
        }

        return replace ? (plain, []) : (original, plain);
    }

    private static List<JsonNode?> MergeByKey(List<JsonNode?> original, List<JsonNode?> patch, PatchSchema itemSchema, string mergeKey)
    {
        var result = original.ToList();
        foreach (var item in patch)
        {
            var map = (JsonObject)item!;
            var value = map.TryGetPropertyValue(mergeKey, out var v) ? v : throw new PatchException($"map: {map.ToJsonString()} does not contain declared merge key: {mergeKey}");
            var index = result.FindIndex(o => o is JsonObject om && om.TryGetPropertyValue(mergeKey, out var ov) && JsonValues.Same(ov, value));
            if (index >= 0)
            {
                result[index] = MergeMap((JsonObject)result[index]!.DeepClone(), (JsonObject)map.DeepClone(), itemSchema);
            }
            else
            {
                result.Add(JsonValues.WithoutDirectives(map, out _));
            }
        }

        return result;
    }

    /// <summary>$setElementOrder/LIST: the list's final order, the patch's items first-class, items only on the server kept in their place.</summary>
    private static void MergeOrderedLists(JsonObject original, JsonObject patch, PatchSchema schema)
    {
        foreach (var (directiveKey, orderNode) in patch.Where(p => p.Key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)).ToList())
        {
            patch.Remove(directiveKey);
            var key = directiveKey[SetElementOrderPrefix.Length..];
            if (key.Length == 0 || orderNode is not JsonArray orderList)
            {
                throw new PatchException("invalid patch format of $setElementOrder: it must name a list and give a list");
            }

            var order = Items(orderList);
            var hasOriginal = original.TryGetPropertyValue(key, out var originalNode) && originalNode is not null;
            var hasPatch = patch.TryGetPropertyValue(key, out var patchNode) && patchNode is not null;
            if (hasOriginal && originalNode is not JsonArray || hasPatch && patchNode is not JsonArray)
            {
                throw new PatchException($"invalid patch format of $setElementOrder: {key} is not a list");
            }

            var originalItems = hasOriginal ? Items((JsonArray)originalNode!) : [];
            var patchItems = hasPatch ? Items((JsonArray)patchNode!) : [];
            var (itemSchema, strategy, mergeKey) = schema.Lookup(key);
            ValidateOrder(patchItems, order, mergeKey);
            List<JsonNode?> merged;
            if (hasOriginal && hasPatch)
            {
                merged = Items(MergeListField((JsonArray)originalNode!, (JsonArray)patchNode!, itemSchema, Strategy(strategy), mergeKey, deleteList: false));
            }
            else if (hasOriginal)
            {
                merged = originalItems;
            }
            else if (hasPatch)
            {
                merged = Items((JsonArray)JsonValues.WithoutDirectives(patchNode, out _)!);
            }
            else
            {
                continue;
            }

            var all = originalItems.Concat(patchItems).ToList();
            if (all.Count > 0)
            {
                var kind = ElementKind(originalItems, patchItems);
                var (inOrder, serverOnly) = Partition(merged, order, mergeKey, kind);
                merged = NormalizeOrder(inOrder, serverOnly, order, originalItems, mergeKey, kind);
            }

            original[key] = new JsonArray(merged.Select(i => i?.DeepClone()).ToArray());
            patch.Remove(key);
        }
    }

    /// <summary>The patch's items must appear in the $setElementOrder list, in its order (deletions aside).</summary>
    private static void ValidateOrder(List<JsonNode?> patch, List<JsonNode?> order, string mergeKey)
    {
        var items = mergeKey.Length > 0 ? patch.Where(p => !(p is JsonObject m && String(m[Directive]) == "delete")).ToList() : patch;
        var p = 0;
        for (var o = 0; p < items.Count && o < order.Count; o++)
        {
            if (items[p] is JsonObject m && m.ContainsKey(Directive))
            {
                p++;
                o--;
                continue;
            }

            if (JsonValues.Same(Key(items[p], mergeKey), Key(order[o], mergeKey)))
            {
                p++;
            }
        }

        if (p < items.Count)
        {
            throw new PatchException($"The order in patch list:\n{new JsonArray(patch.Select(i => i?.DeepClone()).ToArray()).ToJsonString()}\n doesn't match $setElementOrder list:\n{new JsonArray(order.Select(i => i?.DeepClone()).ToArray()).ToJsonString()}");
        }
    }

    private static (List<JsonNode?> InList, List<JsonNode?> NotInList) Partition(List<JsonNode?> items, List<JsonNode?> by, string mergeKey, JsonValueKind kind)
    {
        var inList = new List<JsonNode?>();
        var notInList = new List<JsonNode?>();
        foreach (var item in items)
        {
            var key = kind == JsonValueKind.Object ? KeyOf(item, mergeKey) : item;
            (by.Any(b => JsonValues.Same(kind == JsonValueKind.Object ? Key(b, mergeKey) : b, key)) ? inList : notInList).Add(item);
        }

        return (inList, notInList);
    }

    /// <summary>normalizeElementOrder: patch items in the patch's order, server-only items in the live order, interleaved by the live order.</summary>
    private static List<JsonNode?> NormalizeOrder(List<JsonNode?> patch, List<JsonNode?> serverOnly, List<JsonNode?> patchOrder, List<JsonNode?> serverOrder, string mergeKey, JsonValueKind kind)
    {
        patch = SortBy(patch, patchOrder, mergeKey, kind);
        serverOnly = SortBy(serverOnly, serverOrder, mergeKey, kind);
        var result = new List<JsonNode?>(patch.Count + serverOnly.Count);
        int i = 0, j = 0;
        while (i < serverOnly.Count || j < patch.Count)
        {
            if (i >= serverOnly.Count)
            {
                result.Add(patch[j++]);
            }
            else if (j >= patch.Count)
            {
                result.Add(serverOnly[i++]);
            }
            else
            {
                var left = IndexIn(serverOrder, serverOnly[i], mergeKey, kind);
                var right = IndexIn(serverOrder, patch[j], mergeKey, kind);
                result.Add(left >= 0 && right >= 0 && left < right ? serverOnly[i++] : patch[j++]);
            }
        }

        return result;
    }

    /// <summary>A stable sort by position in the order list; items marked for deletion go last.</summary>
    private static List<JsonNode?> SortBy(List<JsonNode?> items, List<JsonNode?> order, string mergeKey, JsonValueKind kind)
    {
        var deletions = new List<JsonNode?>();
        if (kind == JsonValueKind.Object)
        {
            foreach (var item in items.Concat(order))
            {
                KeyOf(item, mergeKey);
            }

            deletions = items.Where(i => String(((JsonObject)i!)[Directive]) == "delete").ToList();
            items = items.Except(deletions).ToList();
        }

        return [.. items.Select((item, position) => (item, position, index: IndexIn(order, item, mergeKey, kind)))
            .OrderBy(e => e.index).ThenBy(e => e.position).Select(e => e.item), .. deletions];
    }

    private static int IndexIn(List<JsonNode?> list, JsonNode? item, string mergeKey, JsonValueKind kind)
    {
        var value = kind == JsonValueKind.Object ? Key(item, mergeKey) : item;
        return list.FindIndex(l => JsonValues.Same(kind == JsonValueKind.Object ? Key(l, mergeKey) : l, value));
    }

    private static JsonNode? Key(JsonNode? item, string mergeKey) =>
        mergeKey.Length > 0 && item is JsonObject map ? map[mergeKey] : item;

    private static JsonNode? KeyOf(JsonNode? item, string mergeKey) =>
        item is JsonObject map && map.TryGetPropertyValue(mergeKey, out var value)
            ? value
            : throw new PatchException($"map: {item?.ToJsonString()} does not contain declared merge key: {mergeKey}");

    /// <summary>Every item of both lists must be of one kind; lists of lists are not merged.</summary>
    private static JsonValueKind ElementKind(List<JsonNode?> a, List<JsonNode?> b)
    {
        JsonValueKind? kind = null;
        foreach (var item in a.Concat(b))
        {
            var current = item is null ? JsonValueKind.Null : JsonValues.Category(item);
            if (current == JsonValueKind.Array)
            {
                throw new PatchException("lists of lists are not supported");
            }

            if (kind is not null && kind != current)
            {
                throw new PatchException("list element types are not identical");
            }

            kind = current;
        }

        return kind ?? JsonValueKind.Undefined;
    }

    private static List<JsonNode?> Distinct(IEnumerable<JsonNode?> items)
    {
        var result = new List<JsonNode?>();
        foreach (var item in items.Where(item => !result.Any(r => JsonValues.Same(r, item))))
        {
            result.Add(item);
        }

        return result;
    }

    private static List<JsonNode?> Items(JsonArray array) => [.. array];
}
