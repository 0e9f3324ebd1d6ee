using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Rbac.V1;

namespace KubeMesh.ApiServer.Tests.Auth;

/// <summary>
/// The secured api-server with a token file for the admin and a kubelet, and a service-account signing key: the
/// namespace sa-test with the accounts default, robot (no binding) and reader (bound to view), and a pod of each
/// node running as robot.
/// </summary>
public sealed class ServiceAccountFixture() : SecuredApiServerFixture("sa")
{
    public const string Admin = "sa-admin-token";
    public const string Node1 = "sa-node-1-token";
    public const string Namespace = "sa-test";

    public string SigningKeyFile => Path.Combine(Directory, "sa.key");

    protected override string AdminToken => Admin;

    protected override IEnumerable<string> TokenLines => [$"{Admin},kubernetes-admin,1,\"system:masters\"", $"{Node1},system:node:node-1,5,\"system:nodes\""];

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Authentication:ServiceAccountSigningKeyFile", SigningKeyFile)];

    protected override async Task SeedAsync()
    {
        await new NamespaceService.NamespaceServiceClient(Channel(Admin)).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = Namespace } });
        var accounts = new ServiceAccountService.ServiceAccountServiceClient(Channel(Admin));
        foreach (var name in new[] { "default", "robot", "reader" })
        {
            await accounts.CreateAsync(new ServiceAccount { Metadata = new ObjectMeta { Name = name, Namespace = Namespace } });
        }

        await new RoleBindingService.RoleBindingServiceClient(Channel(Admin)).CreateAsync(new RoleBinding
        {
            Metadata = new ObjectMeta { Name = "reader-view", Namespace = Namespace },
            RoleRef = new RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "view" },
            Subjects = { new Subject { Kind = "ServiceAccount", Name = "reader", Namespace = Namespace } },
        });
        foreach (var node in new[] { "node-1", "node-2" })
        {
            await CreatePodAsync(NewPod($"robot-on-{node}", "robot", node));
        }
    }

    public ServiceAccountService.ServiceAccountServiceClient Accounts(string token = Admin) => new(Channel(token));

    public PodService.PodServiceClient Pods(string token = Admin) => new(Channel(token));

    public KubeMesh.Api.ApiServer.V1.ManifestService.ManifestServiceClient Manifests(string token = Admin) => new(Channel(token));

    public async Task<Pod> CreatePodAsync(Pod pod) => await Pods().CreateAsync(pod);

    public async Task<string> TokenAsync(string account, string? audience = null, string? boundPod = null, long seconds = 3600)
    {
        var request = new TokenRequest { Metadata = new ObjectMeta { Name = account, Namespace = Namespace }, Spec = new TokenRequestSpec { ExpirationSeconds = seconds } };
        if (audience is not null)
        {
            request.Spec.Audiences.Add(audience);
        }

        if (boundPod is not null)
        {
            request.Spec.BoundObjectRef = new BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = boundPod };
        }

        return (await Accounts().CreateTokenAsync(request)).Status.Token;
    }

    public static Pod NewPod(string name, string? account, string? node = null, bool? automount = null)
    {
        var pod = new Pod
        {
            Metadata = new ObjectMeta { Name = name, Namespace = Namespace },
            Spec = new PodSpec { Containers = { new Container { Name = "main", Image = "busybox", Command = { "sleep", "3600" } } } },
        };
        if (account is not null)
        {
            pod.Spec.ServiceAccountName = account;
        }

        if (node is not null)
        {
            pod.Spec.NodeName = node;
        }

        if (automount is { } value)
        {
            pod.Spec.AutomountServiceAccountToken = value;
        }

        return pod;
    }
}

[CollectionDefinition(Name)]
public sealed class ServiceAccountCollection : ICollectionFixture<ServiceAccountFixture>
{
    public const string Name = "service accounts";
}
