using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;
using KubeMesh.ApiServer.Rest;
using KubeMesh.ApiServer.Tests.Validation;
using KubeMesh.Client;
using KubeMesh.Testing;

namespace KubeMesh.ApiServer.Tests.Rest;

/// <summary>
/// Every seed manifest applied with the real kubectl (REST: client-side apply, strategic merge patch, the
/// registry) stores exactly what the same manifest applied as kmctl applies it (gRPC ManifestService) stores:
/// same defaults, same validation, the same object but for kubectl's last-applied annotation and what the server
/// allocates. No kubelet runs here, so nothing the objects ask for is started.
/// </summary>
public sealed class SeedThroughBothClientsTests(RestApiFixture fixture) : IClassFixture<RestApiFixture>
{
    private const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>A manifest whose objects both clients cannot hold at once: a fixed node port.</summary>
    private const string FixedNodePort = "17-service-nodeport.yaml";

    [Fact]
    public async Task ApplyEverySeedManifest_KubectlAndKmctl_StoreTheSameObjects()
    {
        using var client = KubeMeshClient.Create(fixture.Api.Address);
        var kubectlNs = await NamespaceAsync(client, "seed-kubectl-");
        var kmctlNs = await NamespaceAsync(client, "seed-kmctl-");
        await NamespaceAsync(client, "ingress-nginx", exact: true);
        var seed = Path.Combine(AppContext.BaseDirectory, "testdata", "manifests", "seed");
        var files = Directory.GetFiles(seed, "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        // Manifests that name their namespace, and the fixed node port, go one client after the other.
        var oneAtATime = files.Where(f => f == FixedNodePort || ManifestDecoder.Decode(TestManifests.Read("seed", f)).Any(o => o.Kind.Metadata(o.Object).Namespace.Length > 0)).ToList();
        var together = Directory.CreateTempSubdirectory("seed-").FullName;
        try
        {
            foreach (var file in files.Except(oneAtATime))
            {
                File.Copy(Path.Combine(seed, file), Path.Combine(together, file));
            }

            await fixture.Kubectl.OkAsync("-n", kubectlNs, "apply", "-f", together);
            foreach (var file in files.Except(oneAtATime))
            {
                await client.Manifests.ApplyAsync(new ApplyRequest { Manifest = TestManifests.Read("seed", file), Namespace = kmctlNs });
            }

            foreach (var file in files.Except(oneAtATime))
            {
                await AssertSameAsync(client, file, kubectlNs, kmctlNs);
            }

            // Applied again, nothing is written. kubectl still says "configured" where its patch replaces a list the
            // server defaults fields in (a downward API volume's items, volumeClaimTemplates), as against Kubernetes.
            var before = await RevisionsAsync(client, together, kubectlNs);
            var again = await fixture.Kubectl.OkAsync("-n", kubectlNs, "apply", "-f", together);
            Assert.Equal(before, await RevisionsAsync(client, together, kubectlNs));
            Assert.Equal(
                ["pod/downward-demo configured", "statefulset.apps/nginx-statefulset configured"],
                again.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.EndsWith(" unchanged", StringComparison.Ordinal)));

            foreach (var file in oneAtATime)
            {
                var path = Path.Combine(seed, file);
                string[] scope = file == FixedNodePort ? ["-n", kubectlNs] : [];
                await fixture.Kubectl.OkAsync([.. scope, "apply", "-f", path]);
                var byKubectl = await ObjectsAsync(client, file, kubectlNs);
                await fixture.Kubectl.OkAsync([.. scope, "delete", "-f", path]);
                await client.Manifests.ApplyAsync(new ApplyRequest { Manifest = TestManifests.Read("seed", file), Namespace = kmctlNs });
                Assert.Equal(byKubectl, await ObjectsAsync(client, file, kmctlNs));
            }
        }
        finally
        {
            Directory.Delete(together, recursive: true);
        }
    }

    private static async Task AssertSameAsync(KubeMeshClient client, string file, string kubectlNs, string kmctlNs)
    {
        var byKubectl = await ObjectsAsync(client, file, kubectlNs);
        var byKmctl = await ObjectsAsync(client, file, kmctlNs);
        Assert.True(byKubectl.SequenceEqual(byKmctl), $"{file}:\nkubectl: {string.Join("\n", byKubectl)}\nkmctl:   {string.Join("\n", byKmctl)}");
    }

    /// <summary>The file's objects as stored, without what differs by nature: namespace, identity, times, allocations.</summary>
    private static async Task<List<string>> ObjectsAsync(KubeMeshClient client, string file, string ns)
    {
        var result = new List<string>();
        foreach (var item in ManifestDecoder.Decode(TestManifests.Read("seed", file)))
        {
            var meta = item.Kind.Metadata(item.Object);
            var stored = (await client.For(item.Kind).GetAsync(item.Kind.Namespaced && meta.Namespace.Length == 0 ? ns : meta.Namespace, meta.Name)).Clone();
            var storedMeta = item.Kind.Metadata(stored);
            storedMeta.Annotations.Remove(LastApplied);
            storedMeta.Namespace = "";
            storedMeta.Uid = "";
            storedMeta.ResourceVersion = "";
            storedMeta.CreationTimestamp = null;
            if (stored is Service { Spec: { } spec })
            {
                spec.ClusterIp = "";
                spec.ClusterIps.Clear();
                foreach (var port in spec.Ports)
                {
                    port.NodePort = 0;
                }
            }

            result.Add(RestObjects.Encode(stored).ToJsonString());
        }

        return result;
    }

    private static async Task<List<string>> RevisionsAsync(KubeMeshClient client, string folder, string ns)
    {
        var revisions = new List<string>();
        foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
        {
            foreach (var item in ManifestDecoder.Decode(await File.ReadAllTextAsync(file)))
            {
                var stored = await client.For(item.Kind).GetAsync(ns, item.Kind.Metadata(item.Object).Name);
                revisions.Add($"{item.Kind.Plural}/{item.Kind.Metadata(item.Object).Name}@{item.Kind.Metadata(stored).ResourceVersion}");
            }
        }

        return revisions;
    }

    private static async Task<string> NamespaceAsync(KubeMeshClient client, string name, bool exact = false)
    {
        name = exact ? name : name + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await client.For<Namespace>().CreateAsync(new Namespace { Metadata = new() { Name = name } });
        }
        catch (RpcException ex) when (exact && ex.StatusCode == StatusCode.AlreadyExists)
        {
        }

        return name;
    }
}
