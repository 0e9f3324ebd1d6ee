using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Kubelet.Token;
using Microsoft.Extensions.Time.Testing;

namespace KubeMesh.Kubelet.Tests.Token;

/// <summary>The kubelet's token manager against an api-server that signs tokens: cached until 80% of the life, then fresh.</summary>
public sealed class ServiceAccountTokenManagerTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    [SkippableFact]
    public async Task GetAsync_BeforeAndAfterEightyPercent_CachesThenRefreshes()
    {
        var keyFile = Path.Combine(Path.GetTempPath(), $"kubemesh-sa-{Guid.NewGuid():N}.key");
        await using var signer = await api.StartApiServerAsync(new Dictionary<string, string?> { ["Authentication:ServiceAccountSigningKeyFile"] = keyFile });
        try
        {
            var ns = "tok-" + Guid.NewGuid().ToString("N")[..8];
            await signer.Client.For<Namespace>().CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = ns } });
            await signer.Client.For<ServiceAccount>().CreateAsync(new ServiceAccount { Metadata = new ObjectMeta { Name = "default", Namespace = ns } });
            var pod = await signer.Client.For<Pod>().CreateAsync(new Pod
            {
                Metadata = new ObjectMeta { Name = "p", Namespace = ns },
                Spec = new PodSpec { AutomountServiceAccountToken = false, Containers = { new Container { Name = "c", Image = "busybox" } } },
            });
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var tokens = new ServiceAccountTokenManager(signer.Client, clock);
            var projection = new ServiceAccountTokenProjection { Path = "token", ExpirationSeconds = 1000 };

            var first = await tokens.GetAsync(pod, projection, CancellationToken.None);
            var due = tokens.RefreshDue(pod.Metadata.Uid);
            Assert.NotNull(due);
            Assert.InRange((due!.Value - clock.GetUtcNow()).TotalSeconds, 790, 801);

            clock.Advance(TimeSpan.FromSeconds(700));
            Assert.Equal(first, await tokens.GetAsync(pod, projection, CancellationToken.None));

            clock.Advance(TimeSpan.FromSeconds(110));
            var second = await tokens.GetAsync(pod, projection, CancellationToken.None);
            Assert.NotEqual(first, second);
            Assert.True(tokens.RefreshDue(pod.Metadata.Uid) > due, "the next refresh is later than the first");
        }
        finally
        {
            File.Delete(keyFile);
        }
    }
}
