namespace KubeMesh.ApiServer.ControlPlane;

/// <summary>
/// The api-server's own Service, default/kubernetes, and how each replica keeps itself among its endpoints
/// (kube-apiserver's --advertise-address with its secure port, and the lease endpoint reconciler's timings).
/// </summary>
public sealed class KubernetesServiceOptions
{
    public const string Section = "ApiServer";

    /// <summary>
    /// host:port clients inside the cluster reach this replica's Kubernetes API at; empty: the address of the REST
    /// endpoint (Kestrel:Endpoints:Rest:Url). Without either, the replica does not publish itself.
    /// </summary>
    public string AdvertiseAddress { get; set; } = "";

    /// <summary>
    /// kube-apiserver's --endpoint-reconciler-type: "lease" (default) keeps default/kubernetes and its endpoints; "none"
    /// leaves both alone (a test harness whose store must change only when the test writes).
    /// </summary>
    public string EndpointReconcilerType { get; set; } = "lease";

    /// <summary>How often a replica renews its lease and reconciles the endpoints (kube-apiserver: 10 s).</summary>
    public TimeSpan EndpointReconcileInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a replica stays among the endpoints without renewing (kube-apiserver's master lease TTL: 15 s).</summary>
    public TimeSpan EndpointLeaseTtl { get; set; } = TimeSpan.FromSeconds(15);
}
