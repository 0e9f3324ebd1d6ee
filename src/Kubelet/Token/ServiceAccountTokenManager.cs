using System.Collections.Concurrent;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;

namespace KubeMesh.Kubelet.Token;

/// <summary>
/// The kubelet's token manager (pkg/kubelet/token): asks the api-server (TokenRequest) for the tokens of pods'
/// projected serviceAccountToken sources, each bound to its pod, and hands out the cached one until 80% of its
/// life has passed, then a fresh one. Expired entries are dropped as new ones are asked for, so a gone pod's
/// tokens do not stay.
/// </summary>
public sealed class ServiceAccountTokenManager(KubeMeshClient client, TimeProvider clock)
{
    private const double RefreshFraction = 0.8;
    private readonly ConcurrentDictionary<Key, Issued> _tokens = new();

    public async Task<string> GetAsync(Pod pod, ServiceAccountTokenProjection projection, CancellationToken cancellationToken)
    {
        var account = string.IsNullOrEmpty(pod.Spec.ServiceAccountName) ? "default" : pod.Spec.ServiceAccountName;
        var seconds = projection.HasExpirationSeconds ? projection.ExpirationSeconds : 3600;
        var key = new Key(pod.Metadata.Namespace, account, projection.Audience, seconds, pod.Metadata.Uid);
        var now = clock.GetUtcNow();
        if (_tokens.TryGetValue(key, out var cached) && now < cached.RefreshAt)
        {
            return cached.Token;
        }

        var request = new TokenRequest
        {
            Metadata = new() { Name = account, Namespace = pod.Metadata.Namespace },
            Spec = new TokenRequestSpec
            {
                ExpirationSeconds = seconds,
                BoundObjectRef = new BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
            },
        };
        if (projection.Audience.Length > 0)
        {
            request.Spec.Audiences.Add(projection.Audience);
        }

        var issued = await client.ServiceAccounts.CreateTokenAsync(request, cancellationToken: cancellationToken);
        var expires = issued.Status.ExpirationTimestamp.ToDateTimeOffset();
        _tokens[key] = new Issued(issued.Status.Token, now + ((expires - now) * RefreshFraction), expires, pod.Metadata.Uid);
        foreach (var (k, v) in _tokens)
        {
            if (v.Expires <= now)
            {
                _tokens.TryRemove(k, out _);
            }
        }

        return issued.Status.Token;
    }

    /// <summary>When the earliest token of the pod is due for refresh; null when it holds none.</summary>
    public DateTimeOffset? RefreshDue(string podUid)
    {
        DateTimeOffset? due = null;
        foreach (var issued in _tokens.Values)
        {
            if (issued.PodUid == podUid && (due is null || issued.RefreshAt < due))
            {
                due = issued.RefreshAt;
            }
        }

        return due;
    }

    private readonly record struct Key(string Namespace, string Account, string Audience, long Seconds, string PodUid);

    private sealed record Issued(string Token, DateTimeOffset RefreshAt, DateTimeOffset Expires, string PodUid);
}
