using System.Net;

namespace KubeMesh.Proxy.Backends;

/// <summary>The ready endpoints of one service port, handed out round robin.</summary>
public sealed class BackendSet(IReadOnlyList<IPEndPoint> endpoints)
{
    private int _next = -1;

    public IReadOnlyList<IPEndPoint> Endpoints => endpoints;

    /// <summary>The next backend in turn; null when there is none.</summary>
    public IPEndPoint? Next()
    {
        if (endpoints.Count == 0)
        {
            return null;
        }

        var i = (uint)Interlocked.Increment(ref _next);
        return endpoints[(int)(i % (uint)endpoints.Count)];
    }

    public bool SameAs(IReadOnlyList<IPEndPoint> other) => endpoints.SequenceEqual(other);
}
