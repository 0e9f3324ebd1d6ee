using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ControllerManager.Controllers.RootCaCertPublisher;
using KubeMesh.ControllerManager.Controllers.ServiceAccount;

namespace KubeMesh.ControllerManager.Tests;

public sealed class ServiceAccountsControllerTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);
    private const string Ca = "-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----\n";

    [SkippableFact]
    public async Task Sync_EveryNamespace_GetsDefaultAccountAgainAfterDeletion()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new ServiceAccountsController(c));
        var accounts = api.Client.For<ServiceAccount>();
        var first = await WaitForAsync(() => accounts.GetAsync(harness.Namespace, "default"), "the default account in the harness namespace");

        await accounts.DeleteAsync(new DeleteRequest { Namespace = harness.Namespace, Name = "default" });
        var again = await WaitForAsync(() => accounts.GetAsync(harness.Namespace, "default"), "the default account made again");
        Assert.NotEqual(first.Metadata.Uid, again.Metadata.Uid);

        var ns = "sa-" + Guid.NewGuid().ToString("N")[..8];
        await api.Client.For<Namespace>().CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = ns } });
        await WaitForAsync(() => accounts.GetAsync(ns, "default"), "the default account in a new namespace");
    }

    [SkippableFact]
    public async Task Sync_RootCaFile_IsPublishedAndKeptAsKubeRootCaCrt()
    {
        var caFile = Path.Combine(Path.GetTempPath(), $"kubemesh-ca-{Guid.NewGuid():N}.crt");
        await File.WriteAllTextAsync(caFile, Ca);
        try
        {
            await using var harness = await ControllerHarness.StartAsync(
                api, new Dictionary<string, string?> { ["Controllers:RootCaCertPublisher:RootCaFile"] = caFile }, c => new RootCaCertPublisher(c));
            var configMaps = api.Client.For<ConfigMap>();
            var published = await WaitForAsync(() => configMaps.GetAsync(harness.Namespace, RootCaCertPublisher.ConfigMapName), "kube-root-ca.crt");
            Assert.Equal(Ca, published.Data[RootCaCertPublisher.Key]);

            published.Data[RootCaCertPublisher.Key] = "tampered";
            await configMaps.UpdateAsync(published);
            await Eventually.Until(async () => (await configMaps.GetAsync(harness.Namespace, RootCaCertPublisher.ConfigMapName)).Data[RootCaCertPublisher.Key] == Ca,
                Timeout, "the CA put back");
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> get, string what)
        where T : class
    {
        T? found = null;
        await Eventually.Until(async () =>
        {
            try
            {
                found = await get();
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                return false;
            }
        }, Timeout, what);
        return found!;
    }
}
