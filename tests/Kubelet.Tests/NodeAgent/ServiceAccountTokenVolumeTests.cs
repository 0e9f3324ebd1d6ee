using System.Buffers.Text;
using System.Text.Json.Nodes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.Kubelet.Tests.NodeAgent;

/// <summary>
/// The kube-api-access volume end to end on one node: an api-server that signs service-account tokens adds it to the
/// pod, and the kubelet writes the token (from TokenRequest, bound to the pod), ca.crt and namespace into it.
/// </summary>
[Collection(NodeAgentCollection.Name)]
public sealed class ServiceAccountTokenVolumeTests(NodeAgentFixture cluster)
{
    private const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    [SkippableFact]
    public async Task Sync_ApiAccessVolume_ProjectsBoundTokenCaAndNamespace()
    {
        var keyFile = Path.Combine(Path.GetTempPath(), $"kubemesh-sa-{Guid.NewGuid():N}.key");
        await using var api = await cluster.ApiServer.StartApiServerAsync(new Dictionary<string, string?> { ["Authentication:ServiceAccountSigningKeyFile"] = keyFile });
        await using var node = InProcessKubelet.Create();
        await node.StartAsync(api.Address);
        try
        {
            var ns = await cluster.NewNamespaceAsync();
            const string ca = "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n";
            await api.Client.For<ServiceAccount>().CreateAsync(new ServiceAccount { Metadata = new ObjectMeta { Name = "default", Namespace = ns } });
            await api.Client.For<ConfigMap>().CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "kube-root-ca.crt", Namespace = ns }, Data = { ["ca.crt"] = ca } });
            var created = await api.Client.For<Pod>().CreateAsync(new Pod
            {
                Metadata = new ObjectMeta { Name = "reads-token", Namespace = ns },
                Spec = new PodSpec
                {
                    NodeName = node.NodeName,
                    Containers = { new Container { Name = "main", Image = "busybox", Command = { "sh", "-c", "sleep 3600" } } },
                },
            });
            Assert.Contains(created.Spec.Volumes, v => v.Projected is not null);
            var running = await cluster.WaitForPodAsync(created, p => p.Status.Phase == "Running", "Running");

            Assert.Equal(ns, (await node.ExecAsync(running, "main", "cat", $"{MountPath}/namespace")).Output);
            Assert.Equal(ca, (await node.ExecAsync(running, "main", "cat", $"{MountPath}/ca.crt")).Output);
            var token = (await node.ExecAsync(running, "main", "cat", $"{MountPath}/token")).Output;
            var claims = JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]))!;
            Assert.Equal($"system:serviceaccount:{ns}:default", (string?)claims["sub"]);
            Assert.Equal(running.Metadata.Name, (string?)claims["kubernetes.io"]!["pod"]!["name"]);
            Assert.Equal(running.Metadata.Uid, (string?)claims["kubernetes.io"]!["pod"]!["uid"]);
            Assert.InRange((long)claims["exp"]! - (long)claims["iat"]!, 3600, 3607);
        }
        finally
        {
            await node.StopAsync();
            Directory.Delete(node.StateDirectory, recursive: true);
            File.Delete(keyFile);
        }
    }
}
