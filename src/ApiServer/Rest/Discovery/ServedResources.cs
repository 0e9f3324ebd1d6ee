using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Rest.Discovery;

/// <summary>Every kind of the registry as the REST API serves it, grouped by API group in registry order (core first).</summary>
public sealed class ServedResources
{
    private readonly Dictionary<(string Group, string Version, string Resource), ServedResource> _byPath;

    public ServedResources()
        : this(ResourceKinds.All)
    {
    }

    internal ServedResources(IEnumerable<ResourceKind> kinds)
    {
        All = kinds.Select(k => new ServedResource(k)).ToList();
        _byPath = All.ToDictionary(r => (r.Kind.Group, r.Kind.Version, r.Kind.Plural));
        Groups = All.Select(r => r.Kind.Group).Distinct().OrderBy(g => g.Length == 0 ? 0 : 1).ToList();
    }

    public IReadOnlyList<ServedResource> All { get; }

    /// <summary>API group names, "" (the core group, served under /api) first.</summary>
    public IReadOnlyList<string> Groups { get; }

    public IEnumerable<ServedResource> InGroup(string group) => All.Where(r => r.Kind.Group == group);

    public ServedResource? Find(string group, string version, string resource) =>
        _byPath.GetValueOrDefault((group, version, resource));

    public bool ServesVersion(string group, string version) => All.Any(r => r.Kind.Group == group && r.Kind.Version == version);
}
