namespace KubeMesh.IngressController.Configuration;

/// <summary>
/// One upstream of the served configuration as ingress-nginx's <c>/configuration/backends</c> (what its
/// <c>dbg backends</c> prints) shows it: the load-balance setting in nginx's words, the endpoints, and the
/// ingresses ("namespace/name") whose rules send traffic to it.
/// </summary>
internal sealed record BackendView(string Name, string LoadBalance, string YarpPolicy, IReadOnlyList<string> Endpoints, IReadOnlyList<string> Ingresses)
{
    public static IEnumerable<BackendView> From(IngressConfiguration configuration)
    {
        var ingresses = configuration.Routes
            .Where(r => r.ClusterId is not null && r.Metadata?.ContainsKey(IngressRoutes.PolicyMetadataKey) == true)
            .Select(r => (r.ClusterId!, Policy: configuration.Policies.GetValueOrDefault(r.Metadata![IngressRoutes.PolicyMetadataKey])))
            .Where(r => r.Policy is { IngressName.Length: > 0 })
            .ToLookup(r => r.Item1, r => r.Policy!.IngressNamespace + "/" + r.Policy.IngressName, StringComparer.Ordinal);
        return configuration.Clusters
            .Where(c => c.ClusterId != IngressRoutes.NotFoundClusterId)
            .Select(c => new BackendView(
                c.ClusterId,
                LoadBalancing.NginxName(c.LoadBalancingPolicy),
                c.LoadBalancingPolicy ?? "",
                [.. c.Destinations?.Values.Select(d => d.Address) ?? []],
                [.. ingresses[c.ClusterId].Distinct().Order(StringComparer.Ordinal)]));
    }
}
