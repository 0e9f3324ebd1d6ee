namespace KubeMesh.IngressController.Routing;

/// <summary>
/// A rule's host as the Ingress API defines it: empty for any host, an exact name, or "*.example.com" matching
/// exactly one more label ("foo.example.com", not "foo.bar.example.com" nor "example.com").
/// </summary>
internal readonly record struct HostMatch(string Host)
{
    public bool IsAny => Host.Length == 0;

    public bool IsWildcard => Host.StartsWith("*.", StringComparison.Ordinal);

    /// <param name="requestHost">The Host header, possibly with a port.</param>
    public bool Matches(ReadOnlySpan<char> requestHost)
    {
        if (IsAny)
        {
            return true;
        }

        var name = StripPort(requestHost);
        if (!IsWildcard)
        {
            return name.Equals(Host, StringComparison.OrdinalIgnoreCase);
        }

        var suffix = Host.AsSpan(1);
        return name.Length > suffix.Length
            && name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
            && !name[..^suffix.Length].Contains('.');
    }

    /// <summary>The host name of a Host header, without its port.</summary>
    public static ReadOnlySpan<char> StripPort(ReadOnlySpan<char> host)
    {
        if (host.StartsWith("["))
        {
            var end = host.IndexOf(']');
            return end < 0 ? host : host[..(end + 1)];
        }

        var colon = host.LastIndexOf(':');
        return colon < 0 ? host : host[..colon];
    }
}
