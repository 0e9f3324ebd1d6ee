using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Kubelet.V1;
using KubeMesh.Api.Security;
using KubeMesh.Kubelet.Server;

namespace KubeMesh.Kubelet.Tests.NodeAgent;

/// <summary>The kubelet's port over TLS: only the api-server's client certificate gets an answer.</summary>
[Collection(NodeAgentCollection.Name)]
public sealed class KubeletTlsTests(NodeAgentFixture cluster)
{
    [SkippableFact]
    public async Task GetContainerLogs_OnlyTheApiServersCertificate_IsAnswered()
    {
        using var pki = new TestPki();
        var kubelet = InProcessKubelet.Create();
        var serving = pki.Pki.Ensure("kubelet", CertificateProfile.Server(kubelet.NodeName, [kubelet.NodeName], [kubelet.Address]));
        kubelet.Settings["Kubelet:Tls:CertFile"] = serving.CertFile;
        kubelet.Settings["Kubelet:Tls:KeyFile"] = serving.KeyFile;
        kubelet.Settings["Kubelet:Tls:ClientCaFile"] = pki.Pki.CaFile;
        try
        {
            await kubelet.StartAsync(cluster.ApiServer.Address);
            var request = new PodLogRequest { Namespace = "default", Name = "no-such-pod" };

            var anonymous = await Assert.ThrowsAsync<RpcException>(() => FirstChunkAsync(pki, kubelet, null, request));
            var admin = await Assert.ThrowsAsync<RpcException>(() => FirstChunkAsync(pki, kubelet, pki.Client("kubernetes-admin", "system:masters"), request));
            var apiServer = await Assert.ThrowsAsync<RpcException>(() => FirstChunkAsync(pki, kubelet, pki.Client(KubeletTlsOptions.ApiServerClient, "kubeadm:cluster-admins"), request));

            // TLS 1.3 checks the client's certificate after the client has finished its side of the handshake: the
            // refusal reaches the client while it reads the HTTP/2 preface (Unavailable) or, when it has already sent
            // the request, while it reads the response (Internal). Either way nothing is answered.
            Assert.True(anonymous.StatusCode is StatusCode.Unavailable or StatusCode.Internal, $"{anonymous.StatusCode}: {anonymous.Status.Detail}");
            if (anonymous.StatusCode == StatusCode.Unavailable)
            {
                Assert.Contains("HTTP/2 handshake", anonymous.Status.Detail, StringComparison.Ordinal);
            }
            Assert.Equal(StatusCode.PermissionDenied, admin.StatusCode);
            Assert.Equal("user \"kubernetes-admin\" may not use the kubelet API", admin.Status.Detail);
            Assert.Equal(StatusCode.NotFound, apiServer.StatusCode);
        }
        finally
        {
            await kubelet.DisposeAsync();
        }
    }

    private static async Task FirstChunkAsync(TestPki pki, InProcessKubelet kubelet, IssuedCertificate? client, PodLogRequest request)
    {
        var handler = new SocketsHttpHandler();
        TlsClientAuthentication.Apply(handler.SslOptions, pki.Pki.Trust.Roots, client is null ? null : PemFiles.Load(client.CertFile, client.KeyFile));
        using var channel = GrpcChannel.ForAddress($"https://{kubelet.Address}:{kubelet.Port}", new GrpcChannelOptions { HttpHandler = handler });
        using var call = new KubeletService.KubeletServiceClient(channel).GetContainerLogs(request, deadline: DateTime.UtcNow.AddSeconds(30));
        await call.ResponseStream.MoveNext(CancellationToken.None);
    }
}
