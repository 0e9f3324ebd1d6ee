using System.Text.Json.Nodes;

namespace KubeMesh.ApiServer.Rest.Discovery;

/// <summary>
/// Discovery as kube-apiserver serves it: aggregated (apidiscovery.k8s.io/v2 APIGroupDiscoveryList, one request
/// for /api and one for /apis) and legacy (APIVersions, APIGroupList, APIGroup, one APIResourceList per
/// group-version). Built from <see cref="ServedResources"/>, so every kind of the registry appears.
/// </summary>
public sealed class DiscoveryDocuments(ServedResources resources)
{
    /// <summary>/api or /apis aggregated: the core group alone, or every other group.</summary>
    public JsonObject Aggregated(bool core) => new()
    {
        ["kind"] = "APIGroupDiscoveryList",
        ["apiVersion"] = "apidiscovery.k8s.io/v2",
        ["metadata"] = new JsonObject(),
        ["items"] = new JsonArray(resources.Groups.Where(g => (g.Length == 0) == core).Select(g => (JsonNode)new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = g, ["creationTimestamp"] = null },
            ["versions"] = new JsonArray(Versions(g).Select(v => (JsonNode)new JsonObject
            {
                ["version"] = v,
                ["resources"] = new JsonArray(resources.InGroup(g).Where(r => r.Kind.Version == v).Select(r => (JsonNode)AggregatedResource(r)).ToArray()),
                ["freshness"] = "Current",
            }).ToArray()),
        }).ToArray()),
    };

    /// <summary>/api: APIVersions.</summary>
    public JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray(Versions("").Select(v => (JsonNode)v).ToArray()),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    /// <summary>/apis: APIGroupList, without the core group.</summary>
    public JsonObject GroupList() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(resources.Groups.Where(g => g.Length > 0).Select(g => (JsonNode)Group(g)!).ToArray()),
    };

    /// <summary>/apis/GROUP: APIGroup, or null for a group not served.</summary>
    public JsonObject? Group(string group) =>
        group.Length == 0 || !resources.Groups.Contains(group)
            ? null
            : new JsonObject
            {
                ["kind"] = "APIGroup",
                ["apiVersion"] = "v1",
                ["name"] = group,
                ["versions"] = new JsonArray(Versions(group).Select(v => (JsonNode)GroupVersion(group, v)).ToArray()),
                ["preferredVersion"] = GroupVersion(group, Versions(group)[0]),
            };

    /// <summary>/api/v1 or /apis/GROUP/VERSION: APIResourceList with subresources as "pods/log", or null when not served.</summary>
    public JsonObject? ResourceList(string group, string version)
    {
        if (!resources.ServesVersion(group, version))
        {
            return null;
        }

        var list = new JsonArray();
        foreach (var resource in resources.InGroup(group).Where(r => r.Kind.Version == version))
        {
            var kind = resource.Kind;
            var entry = new JsonObject
            {
                ["name"] = kind.Plural,
                ["singularName"] = kind.Singular,
                ["namespaced"] = kind.Namespaced,
                ["kind"] = kind.Kind,
                ["verbs"] = Strings(resource.Verbs),
            };
            if (kind.ShortNames.Count > 0)
            {
                entry["shortNames"] = Strings(kind.ShortNames);
            }

            if (kind.Categories.Count > 0)
            {
                entry["categories"] = Strings(kind.Categories);
            }

            list.Add(entry);
            foreach (var sub in resource.Subresources)
            {
                var subEntry = new JsonObject
                {
                    ["name"] = $"{kind.Plural}/{sub.Name}",
                    ["singularName"] = "",
                    ["namespaced"] = kind.Namespaced,
                };
                if (sub.Group != kind.Group || sub.Version != kind.Version)
                {
                    subEntry["group"] = sub.Group;
                    subEntry["version"] = sub.Version;
                }

                subEntry["kind"] = sub.Kind;
                subEntry["verbs"] = Strings(sub.Verbs);
                list.Add(subEntry);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = list,
        };
    }

    private static JsonObject AggregatedResource(ServedResource resource)
    {
        var kind = resource.Kind;
        var node = new JsonObject
        {
            ["resource"] = kind.Plural,
            ["responseKind"] = ResponseKind(kind.Group, kind.Version, kind.Kind),
            ["scope"] = kind.Namespaced ? "Namespaced" : "Cluster",
            ["singularResource"] = kind.Singular,
            ["verbs"] = Strings(resource.Verbs),
        };
        if (kind.ShortNames.Count > 0)
        {
            node["shortNames"] = Strings(kind.ShortNames);
        }

        if (kind.Categories.Count > 0)
        {
            node["categories"] = Strings(kind.Categories);
        }

        if (resource.Subresources.Count > 0)
        {
            node["subresources"] = new JsonArray(resource.Subresources.Select(s => (JsonNode)new JsonObject
            {
                ["subresource"] = s.Name,
                ["responseKind"] = ResponseKind(s.Group, s.Version, s.Kind),
                ["verbs"] = Strings(s.Verbs),
            }).ToArray());
        }

        return node;
    }

    private List<string> Versions(string group) =>
        resources.InGroup(group).Select(r => r.Kind.Version).Distinct().ToList();

    private static JsonObject GroupVersion(string group, string version) =>
        new() { ["groupVersion"] = $"{group}/{version}", ["version"] = version };

    private static JsonObject ResponseKind(string group, string version, string kind) =>
        new() { ["group"] = group, ["version"] = version, ["kind"] = kind };

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)v).ToArray());
}
