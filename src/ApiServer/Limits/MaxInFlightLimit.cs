using Grpc.Core;
using KubeMesh.ApiServer.Authentication;
using KubeMesh.ApiServer.Metrics;
using KubeMesh.ApiServer.Registry;
using Microsoft.Extensions.Options;

namespace KubeMesh.ApiServer.Limits;

/// <summary>kube-apiserver's --max-requests-inflight and --max-mutating-requests-inflight (0: no limit).</summary>
public sealed class MaxInFlightOptions
{
    public const string Section = "ApiServer";

    /// <summary>Read-only requests served at once, beyond which more are refused with 429.</summary>
    public int MaxRequestsInflight { get; set; } = 400;

    /// <summary>Writes served at once (create, update, patch, delete, deletecollection).</summary>
    public int MaxMutatingRequestsInflight { get; set; } = 200;
}

/// <summary>
/// kube-apiserver's WithMaxInFlightLimit filter, what it runs when priority and fairness is off: at most so many
/// read-only and so many mutating requests are served at once, and one more is refused at once with 429
/// TooManyRequests "Too many requests, please try again later." and Retry-After: 1, so an overloaded server sheds load
/// instead of queueing it without bound; the client waits and tries again. Long-running requests (watches, exec,
/// attach, logs, port-forward, proxy), health checks, and users in system:masters are never counted, as there.
/// Counts are per replica, as each kube-apiserver counts its own, and exported as apiserver_current_inflight_requests.
/// </summary>
public sealed class MaxInFlightLimit(IOptions<MaxInFlightOptions> options, ApiServerMetrics? metrics = null)
{
    public const string TooMany = "Too many requests, please try again later.";

    /// <summary>Seconds a refused client is asked to wait (Retry-After, and gRPC's retry pushback).</summary>
    public const int RetryAfterSeconds = 1;

    private static readonly HashSet<string> LongRunningSubresources = new(StringComparer.Ordinal) { "attach", "exec", "proxy", "log", "portforward" };
    private readonly int _readOnlyLimit = options.Value.MaxRequestsInflight;
    private readonly int _mutatingLimit = options.Value.MaxMutatingRequestsInflight;
    private int _readOnly;
    private int _mutating;

    /// <summary>Read-only requests being served now (apiserver_current_inflight_requests{request_kind="readOnly"}).</summary>
    public int ReadOnlyInFlight => Volatile.Read(ref _readOnly);

    /// <summary>Mutating requests being served now.</summary>
    public int MutatingInFlight => Volatile.Read(ref _mutating);

    public static bool IsLongRunning(string verb, string subresource) =>
        verb is "watch" or "proxy" || LongRunningSubresources.Contains(subresource);

    public static bool IsMutating(string verb) => verb is "create" or "update" or "patch" or "delete" or "deletecollection";

    /// <summary>Takes a place for the request until the returned slot is disposed; one beyond the limit is refused.</summary>
    /// <exception cref="ApiException">RESOURCE_EXHAUSTED / 429 TooManyRequests.</exception>
    public Slot Enter(UserInfo? user, string verb, string subresource)
    {
        if (IsLongRunning(verb, subresource) || user?.Groups.Contains(UserInfo.SystemMasters) == true)
        {
            return default;
        }

        var mutating = IsMutating(verb);
        var limit = mutating ? _mutatingLimit : _readOnlyLimit;
        if (limit <= 0)
        {
            return default;
        }

        ref var count = ref mutating ? ref _mutating : ref _readOnly;
        if (Interlocked.Increment(ref count) > limit)
        {
            Interlocked.Decrement(ref count);
            throw new ApiException(StatusCode.ResourceExhausted, TooMany, "TooManyRequests", new ApiErrorDetails("", "", "") { RetryAfterSeconds = RetryAfterSeconds });
        }

        metrics?.InFlight(mutating, 1);
        return new Slot(this, mutating);
    }

    private void Leave(bool mutating)
    {
        Interlocked.Decrement(ref mutating ? ref _mutating : ref _readOnly);
        metrics?.InFlight(mutating, -1);
    }

    /// <summary>A request's place; disposing it gives the place back (default: the request was not counted).</summary>
    public readonly struct Slot(MaxInFlightLimit? owner, bool mutating) : IDisposable
    {
        public void Dispose() => owner?.Leave(mutating);
    }
}
