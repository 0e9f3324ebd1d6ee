using KubeMesh.Api.Rbac.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.Api.Printing;

/// <summary>The table kubectl prints for each kind.</summary>
public static class TableDefinitions
{
    private static readonly Dictionary<ResourceKind, TableDefinition> ByKind = new()
    {
        [ResourceKinds.Pod] = new PodTable(),
        [ResourceKinds.ReplicaSet] = new ReplicaSetTable(),
        [ResourceKinds.Deployment] = new DeploymentTable(),
        [ResourceKinds.DaemonSet] = new DaemonSetTable(),
        [ResourceKinds.StatefulSet] = new StatefulSetTable(),
        [ResourceKinds.ControllerRevision] = new ControllerRevisionTable(),
        [ResourceKinds.Service] = new ServiceTable(),
        [ResourceKinds.Endpoints] = new EndpointsTable(),
        [ResourceKinds.Node] = new NodeTable(),
        [ResourceKinds.Namespace] = new NamespaceTable(),
        [ResourceKinds.ConfigMap] = new ConfigMapTable(),
        [ResourceKinds.ServiceAccount] = new ServiceAccountTable(),
        [ResourceKinds.Secret] = new SecretTable(),
        [ResourceKinds.PersistentVolumeClaim] = new PersistentVolumeClaimTable(),
        [ResourceKinds.Job] = new JobTable(),
        [ResourceKinds.CronJob] = new CronJobTable(),
        [ResourceKinds.Ingress] = new IngressTable(),
        [ResourceKinds.Event] = new EventTable(),
        [ResourceKinds.Lease] = new LeaseTable(),
        [ResourceKinds.Role] = new RoleTable<Role>(r => r.Metadata),
        [ResourceKinds.ClusterRole] = new RoleTable<ClusterRole>(r => r.Metadata),
        [ResourceKinds.RoleBinding] = new RoleBindingTable<RoleBinding>(b => b.Metadata, b => b.RoleRef, b => b.Subjects),
        [ResourceKinds.ClusterRoleBinding] = new RoleBindingTable<ClusterRoleBinding>(b => b.Metadata, b => b.RoleRef, b => b.Subjects),
        [ResourceKinds.Certificate] = new CertificateTable(),
        [ResourceKinds.CertificateRequest] = new CertificateRequestTable(),
        [ResourceKinds.Issuer] = new IssuerTable(ResourceKinds.Issuer),
        [ResourceKinds.ClusterIssuer] = new IssuerTable(ResourceKinds.ClusterIssuer),
        [ResourceKinds.Order] = new OrderTable(),
        [ResourceKinds.Challenge] = new ChallengeTable(),
    };

    public static TableDefinition For(ResourceKind kind) => ByKind.TryGetValue(kind, out var table) ? table : new GenericTable(kind);
}
