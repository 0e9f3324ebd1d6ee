using System.Collections.Concurrent;
using System.Net;

namespace KubeMesh.IngressController.Upstream;

/// <summary>
/// One <see cref="Http1ConnectionPool"/> per pod address, shared by every cluster, so a configuration swap keeps the
/// warm connections; found by the destination's authority without allocating. A timer closes connections idle past
/// the keep-alive timeout and forgets pools of pods no longer used.
/// </summary>
internal sealed class Http1ConnectionPools : IDisposable
{
    private readonly ConcurrentDictionary<string, Http1ConnectionPool> _pools = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Http1ConnectionPool>.AlternateLookup<ReadOnlySpan<char>> _byAuthority;
    private readonly ITimer _scavenger;

    public Http1ConnectionPools(UpstreamSettings settings, TimeProvider time)
    {
        Settings = settings;
        _byAuthority = _pools.GetAlternateLookup<ReadOnlySpan<char>>();
        var period = settings.KeepAliveTimeout / 4;
        _scavenger = time.CreateTimer(_ => Scavenge(), null, period, period);
    }

    public UpstreamSettings Settings { get; }

    /// <summary>Plain HTTP/1.x that is not a CONNECT: everything the pods get from the ingress. HTTPS and HTTP/2 go elsewhere.</summary>
    public static bool Serves(HttpRequestMessage request) =>
        request.RequestUri is { Scheme: "http" }
        && request.Method != HttpMethod.Connect
        && (request.Version.Major < 2 || request.VersionPolicy == HttpVersionPolicy.RequestVersionOrLower);

    public Http1ConnectionPool For(Uri uri)
    {
        var authority = Authority(uri);
        return _byAuthority.TryGetValue(authority, out var pool)
            ? pool
            : _pools.GetOrAdd(authority.ToString(), key => new Http1ConnectionPool(key, EndPointOf(uri), Settings));
    }

    /// <summary>
    /// The pool for a destination address that is only http://host:port (with or without the final slash), or null
    /// for any other address.
    /// </summary>
    public Http1ConnectionPool? ForOrigin(string address)
    {
        if (!address.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var authority = address.AsSpan(7).TrimEnd('/');
        if (authority.IsEmpty || authority.IndexOfAny("/?#@") >= 0)
        {
            return null;
        }

        return _byAuthority.TryGetValue(authority, out var pool) ? pool : For(new Uri(address));
    }

    /// <summary>The pools and their idle connections, for tests and diagnostics.</summary>
    public IReadOnlyDictionary<string, int> IdleConnections => _pools.ToDictionary(p => p.Key, p => p.Value.IdleCount, StringComparer.OrdinalIgnoreCase);

    public void Scavenge()
    {
        var now = Environment.TickCount64;
        foreach (var (key, pool) in _pools)
        {
            if (pool.CloseExpired(now, retire: true))
            {
                _pools.TryRemove(KeyValuePair.Create(key, pool));
            }
        }
    }

    public void Dispose()
    {
        _scavenger.Dispose();
        foreach (var pool in _pools.Values)
        {
            pool.CloseExpired(long.MaxValue, retire: true);
        }
    }

    /// <summary>host:port as written in the destination address (YARP builds the request URI from it).</summary>
    private static ReadOnlySpan<char> Authority(Uri uri)
    {
        var address = uri.OriginalString.AsSpan();
        if (address.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            var rest = address[7..];
            var end = rest.IndexOfAny('/', '?', '#');
            var authority = end < 0 ? rest : rest[..end];
            if (!authority.IsEmpty && !authority.Contains('@'))
            {
                return authority;
            }
        }

        return uri.Authority;
    }

    private static EndPoint EndPointOf(Uri uri) => IPAddress.TryParse(uri.IdnHost, out var ip)
        ? new IPEndPoint(ip, uri.Port)
        : new DnsEndPoint(uri.IdnHost, uri.Port);
}
