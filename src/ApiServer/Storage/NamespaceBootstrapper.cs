using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry;
using Grpc.Core;
using Microsoft.Extensions.Hosting;

namespace KubeMesh.ApiServer.Storage;

/// <summary>Creates the namespaces a cluster has from the start (default, kube-system, kube-public, kube-node-lease).</summary>
public sealed class NamespaceBootstrapper(ResourceRegistry registry) : IHostedService
{
    public static readonly string[] SystemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var name in SystemNamespaces)
        {
            try
            {
                await registry.CreateAsync(ResourceKinds.Namespace, new Namespace { Metadata = new ObjectMeta { Name = name } });
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
            {
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
