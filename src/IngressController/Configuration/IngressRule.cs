using KubeMesh.Api.Networking.V1;
using KubeMesh.IngressController.Routing;

namespace KubeMesh.IngressController.Configuration;

/// <summary>One host and path of the merged configuration, before it becomes a YARP route.</summary>
internal sealed record IngressRule(
    Ingress Ingress,
    int IngressIndex,
    IngressAnnotations Annotations,
    HostMatch Host,
    PathMatch Path,
    string PathLabel,
    IngressServiceBackend? Backend,
    bool IsFallback)
{
    /// <summary>
    /// nginx picks the server by host first (exact, then wildcard, then the catch-all) and only then the location,
    /// so a host's own fallback outranks every rule of less specific hosts.
    /// </summary>
    public int Tier => (Host.IsAny ? 4 : Host.IsWildcard ? 2 : 0) + (IsFallback ? 1 : 0);

    public string Namespace => Ingress.Metadata.Namespace;

    public static int Compare(IngressRule a, IngressRule b)
    {
        var c = a.Tier.CompareTo(b.Tier);
        if (c != 0)
        {
            return c;
        }

        c = (a.Path.Kind == PathMatchKind.Any).CompareTo(b.Path.Kind == PathMatchKind.Any);
        if (c != 0)
        {
            return c;
        }

        // Longest path first; at equal length an Exact rule before a prefix.
        c = b.Path.Path.Length.CompareTo(a.Path.Path.Length);
        if (c != 0)
        {
            return c;
        }

        c = (a.Path.Kind != PathMatchKind.Exact).CompareTo(b.Path.Kind != PathMatchKind.Exact);
        if (c != 0)
        {
            return c;
        }

        c = string.CompareOrdinal(a.Path.Path, b.Path.Path);
        if (c != 0)
        {
            return c;
        }

        c = string.Compare(a.Host.Host, b.Host.Host, StringComparison.OrdinalIgnoreCase);
        return c != 0 ? c : a.IngressIndex.CompareTo(b.IngressIndex);
    }
}
