namespace KubeMesh.IngressController.Routing;

/// <summary>How a rule's path is compared with the request path.</summary>
internal enum PathMatchKind
{
    /// <summary>Every path: a host's fallback and the controller's default backend.</summary>
    Any,

    /// <summary>pathType Exact: the whole path, case-sensitively.</summary>
    Exact,

    /// <summary>pathType Prefix (and ImplementationSpecific): whole path segments, case-sensitively.</summary>
    Prefix,

    /// <summary>use-regex: a case-insensitive regular expression anchored at the start, as ingress-nginx's <c>~*</c>.</summary>
    Regex,

    /// <summary>No path: a route whose policy is unknown is disabled rather than served without its checks.</summary>
    Never,
}
