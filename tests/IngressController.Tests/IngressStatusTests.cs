using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Networking.V1;
using KubeMesh.IngressController.Status;
using KubeMesh.IngressController.Tests.Infrastructure;

namespace KubeMesh.IngressController.Tests;

[Collection(ClusterCollection.Name)]
public sealed class IngressStatusTests(ClusterFixture cluster)
{
    [SkippableFact]
    public async Task Status_IngressServed_PublishesAddressAndClearsItWhenTheClassChanges()
    {
        var ingresses = cluster.Client.For<Ingress>();
        await cluster.CreateIngressAsync(ClusterFixture.Ingress("status-ingress", "status.example.com", ("/", "Prefix", "status-svc")));

        await Eventually.Until(
            () => AddressesAsync("status-ingress"), a => a == "127.0.0.1", ClusterFixture.Timeout, "the controller's address is published");

        var ingress = await ingresses.GetAsync("default", "status-ingress");
        ingress.Spec.IngressClassName = "other";
        await ingresses.UpdateAsync(ingress);
        await Eventually.Until(
            () => AddressesAsync("status-ingress"), a => a == "", ClusterFixture.Timeout, "the address is cleared once the ingress is another class's");
    }

    [SkippableFact]
    public void Desired_AnotherControllersAddress_IsLeftAlone()
    {
        var ingress = Ingress(className: "other", ip: "10.0.0.7");

        Assert.Null(IngressStatusRules.Desired(ingress, "nginx", "127.0.0.1"));
    }

    [SkippableFact]
    public void Desired_OursWithAnotherAddress_IsReplacedByOurs()
    {
        var desired = IngressStatusRules.Desired(Ingress(className: "nginx", ip: "10.0.0.7"), "nginx", "127.0.0.1");

        Assert.Equal("127.0.0.1", Assert.Single(desired!.Ingress).Ip);
    }

    [SkippableFact]
    public void Desired_OursAlreadyPublished_WritesNothing()
    {
        Assert.Null(IngressStatusRules.Desired(Ingress(className: "", ip: "127.0.0.1"), "nginx", "127.0.0.1"));
    }

    private async Task<string> AddressesAsync(string name)
    {
        var ingress = await cluster.Client.For<Ingress>().GetAsync("default", name);
        return string.Join(",", ingress.Status?.LoadBalancer?.Ingress.Select(i => i.Ip) ?? []);
    }

    private static Ingress Ingress(string className, string ip)
    {
        var ingress = new Ingress
        {
            Metadata = new ObjectMeta { Name = "i", Namespace = "default" },
            Spec = new IngressSpec(),
            Status = new IngressStatus { LoadBalancer = new IngressLoadBalancerStatus { Ingress = { new IngressLoadBalancerIngress { Ip = ip } } } },
        };
        if (className.Length > 0)
        {
            ingress.Spec.IngressClassName = className;
        }

        return ingress;
    }
}
