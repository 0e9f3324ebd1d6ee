using System.Text.Json.Nodes;

namespace KubeMesh.ApiServer.Rest.Patch;

/// <summary>JSON merge patch (RFC 7386, application/merge-patch+json): objects merge recursively, null removes, anything else replaces.</summary>
public static class JsonMergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = Apply(result.TryGetPropertyValue(key, out var current) ? current : null, value);
            }
        }

        return result;
    }
}
