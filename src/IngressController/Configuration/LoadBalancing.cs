using Yarp.ReverseProxy.LoadBalancing;

namespace KubeMesh.IngressController.Configuration;

/// <summary>ingress-nginx's load-balance values as YARP load-balancing policies.</summary>
internal static class LoadBalancing
{
    public const string Default = "round_robin";

    public static bool TryGetPolicy(string? value, out string policy)
    {
        policy = value?.Trim() switch
        {
            "round_robin" => LoadBalancingPolicies.RoundRobin,
            "least_conn" => LoadBalancingPolicies.LeastRequests,
            "ewma" => LoadBalancingPolicies.PowerOfTwoChoices,
            _ => "",
        };
        return policy.Length > 0;
    }

    /// <summary>The load-balance value a YARP policy stands for, as ingress-nginx would print it.</summary>
    public static string NginxName(string? policy) =>
        policy == LoadBalancingPolicies.LeastRequests ? "least_conn"
        : policy == LoadBalancingPolicies.PowerOfTwoChoices ? "ewma"
        : Default;
}
