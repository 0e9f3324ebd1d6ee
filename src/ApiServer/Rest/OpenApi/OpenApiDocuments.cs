using System.Security.Cryptography;
using System.Text.Json.Nodes;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Rest.Discovery;

namespace KubeMesh.ApiServer.Rest.OpenApi;

/// <summary>
/// /openapi/v3: an index of group-versions, each an OpenAPI 3.0 document with the kinds' paths and schemas. Every
/// patch operation names its kind (x-kubernetes-group-version-kind) and takes fieldValidation, which is what
/// kubectl's default --validate=strict looks for before leaving validation to the server.
/// </summary>
public sealed class OpenApiDocuments
{
    private readonly Dictionary<string, (JsonObject Document, string Hash)> _documents = new(StringComparer.Ordinal);

    public OpenApiDocuments(ServedResources resources)
    {
        foreach (var group in resources.Groups)
        {
            foreach (var version in resources.InGroup(group).Select(r => r.Kind.Version).Distinct())
            {
                var path = group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";
                var document = Document(path, resources.InGroup(group).Where(r => r.Kind.Version == version).ToList());
                var hash = Convert.ToHexString(SHA512.HashData(RestResponses.Bytes(document)));
                _documents[path] = (document, hash);
            }
        }
    }

    public JsonObject Index()
    {
        var paths = new JsonObject();
        foreach (var (path, (_, hash)) in _documents)
        {
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash={hash}" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>The document of "api/v1" or "apis/GROUP/VERSION", or null.</summary>
    public JsonObject? Find(string path) => _documents.TryGetValue(path, out var entry) ? entry.Document : null;

    private static JsonObject Document(string prefix, IReadOnlyList<ServedResource> resources)
    {
        var paths = new JsonObject();
        foreach (var resource in resources)
        {
            ResourcePaths.Add(paths, "/" + prefix, resource);
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = VersionInfo.GitVersion },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = OpenApiSchemas.For(resources.Select(r => r.Kind)) },
        };
    }
}
