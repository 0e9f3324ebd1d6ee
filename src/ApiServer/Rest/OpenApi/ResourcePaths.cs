using System.Text.Json.Nodes;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Rest.Discovery;

namespace KubeMesh.ApiServer.Rest.OpenApi;

/// <summary>The paths and operations of one resource in an OpenAPI document, shaped as kube-apiserver's.</summary>
internal static class ResourcePaths
{
    private static readonly string[] PatchTypes =
        ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];

    public static void Add(JsonObject paths, string prefix, ServedResource resource)
    {
        var kind = resource.Kind;
        var self = OpenApiSchemas.Name(kind.Descriptor);
        var gvk = OpenApiSchemas.Gvk(kind.Group, kind.Version, kind.Kind);
        var scope = kind.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{kind.Plural}" : $"{prefix}/{kind.Plural}";
        var scopeParameters = kind.Namespaced ? new JsonArray(PathParameter("namespace")) : new JsonArray();

        var collection = new JsonObject { ["parameters"] = scopeParameters.DeepClone() };
        Operation(collection, "get", "list", kind, gvk, OpenApiSchemas.Name(kind.ListDescriptor), Query("labelSelector", "fieldSelector", "watch", "resourceVersion", "limit", "continue", "timeoutSeconds"));
        Operation(collection, "post", "post", kind, gvk, self, Query("dryRun", "fieldManager", "fieldValidation"), body: self);
        Operation(collection, "delete", "deletecollection", kind, gvk, OpenApiSchemas.StatusSchema, Query("labelSelector", "fieldSelector", "gracePeriodSeconds", "propagationPolicy", "dryRun"));
        paths[scope] = collection;

        if (kind.Namespaced)
        {
            var all = new JsonObject();
            Operation(all, "get", "list", kind, gvk, OpenApiSchemas.Name(kind.ListDescriptor), Query("labelSelector", "fieldSelector", "watch", "resourceVersion", "limit", "continue", "timeoutSeconds"));
            paths[$"{prefix}/{kind.Plural}"] = all;
        }

        var itemParameters = scopeParameters.DeepClone().AsArray();
        itemParameters.Insert(0, PathParameter("name"));
        var item = new JsonObject { ["parameters"] = itemParameters };
        Operation(item, "get", "get", kind, gvk, self, []);
        Operation(item, "put", "put", kind, gvk, self, Query("dryRun", "fieldManager", "fieldValidation"), body: self);
        Operation(item, "patch", "patch", kind, gvk, self, Query("dryRun", "fieldManager", "fieldValidation", "force"), patch: true);
        Operation(item, "delete", "delete", kind, gvk, self, Query("gracePeriodSeconds", "propagationPolicy", "dryRun"));
        paths[$"{scope}/{{name}}"] = item;

        foreach (var sub in resource.Subresources.Where(s => s.Name is "status" or "scale"))
        {
            var schema = sub.Name == "scale" ? OpenApiSchemas.ScaleSchema : self;
            var subGvk = OpenApiSchemas.Gvk(sub.Group, sub.Version, sub.Kind);
            var path = new JsonObject { ["parameters"] = itemParameters.DeepClone() };
            Operation(path, "get", "get", kind, subGvk, schema, []);
            Operation(path, "put", "put", kind, subGvk, schema, Query("dryRun", "fieldManager", "fieldValidation"), body: schema);
            Operation(path, "patch", "patch", kind, subGvk, schema, Query("dryRun", "fieldManager", "fieldValidation", "force"), patch: true);
            paths[$"{scope}/{{name}}/{sub.Name}"] = path;
        }
    }

    private static void Operation(JsonObject path, string method, string action, ResourceKind kind, JsonObject gvk, string response,
        JsonArray parameters, string? body = null, bool patch = false)
    {
        var operation = new JsonObject
        {
            ["tags"] = new JsonArray(kind.Group.Length == 0 ? "core_v1" : $"{kind.Group}_{kind.Version}"),
            ["operationId"] = $"{action}{kind.Kind}",
            ["parameters"] = parameters,
        };
        if (body is not null)
        {
            operation["requestBody"] = new JsonObject
            {
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = OpenApiSchemas.Ref(body) } },
                ["required"] = true,
            };
        }

        if (patch)
        {
            var content = new JsonObject();
            foreach (var type in PatchTypes)
            {
                content[type] = new JsonObject { ["schema"] = OpenApiSchemas.Ref(OpenApiSchemas.PatchSchema) };
            }

            operation["requestBody"] = new JsonObject { ["content"] = content, ["required"] = true };
        }

        operation["responses"] = new JsonObject
        {
            ["200"] = new JsonObject
            {
                ["description"] = "OK",
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = OpenApiSchemas.Ref(response) } },
            },
        };
        operation["x-kubernetes-action"] = action;
        operation["x-kubernetes-group-version-kind"] = gvk.DeepClone();
        path[method] = operation;
    }

    private static JsonObject PathParameter(string name) => new()
    {
        ["name"] = name,
        ["in"] = "path",
        ["required"] = true,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    private static JsonArray Query(params string[] names) =>
        new(names.Select(n => (JsonNode)new JsonObject
        {
            ["name"] = n,
            ["in"] = "query",
            ["schema"] = new JsonObject { ["type"] = n is "watch" or "force" ? "boolean" : n is "limit" or "timeoutSeconds" or "gracePeriodSeconds" ? "integer" : "string", ["uniqueItems"] = true },
        }).ToArray());
}
