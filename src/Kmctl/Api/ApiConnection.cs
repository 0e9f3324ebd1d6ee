using System.Runtime.CompilerServices;
using Google.Protobuf;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Client;
using KubeMesh.Client.Credentials;

namespace KubeMesh.Kmctl.Api;

/// <summary>The api-server as kmctl's commands use it: KubeMeshClient's per-kind clients, namespace-aware for cluster-scoped kinds.</summary>
public sealed class ApiConnection(ApiServerConnection connection) : IDisposable
{
    private readonly KubeMeshClient _client = KubeMeshClient.Create(connection);

    public string Address { get; } = connection.Address;

    public ManifestService.ManifestServiceClient Manifests => _client.Manifests;

    public DiscoveryService.DiscoveryServiceClient Discovery => _client.Discovery;

    public PodService.PodServiceClient Pods => _client.Pods;

    public ServiceAccountService.ServiceAccountServiceClient ServiceAccounts => _client.ServiceAccounts;

    /// <summary>The connection's invoker, credentials and all, for services without a typed client here.</summary>
    public Grpc.Core.CallInvoker CallInvoker => _client.CallInvoker;

    public Task<IMessage> GetAsync(ResourceKind kind, string ns, string name) =>
        _client.For(kind).GetAsync(kind.Namespaced ? ns : "", name);

    public Task<IMessage> CreateAsync(ResourceKind kind, IMessage obj) => _client.For(kind).CreateAsync(obj);

    public Task<IMessage> UpdateAsync(ResourceKind kind, IMessage obj) => _client.For(kind).UpdateAsync(obj);

    public Task<IMessage> DeleteAsync(ResourceKind kind, DeleteRequest request) => _client.For(kind).DeleteAsync(request);

    /// <summary>The whole list: with a limit, page after page until the server gives no continue token.</summary>
    public async Task<ObjectList> ListAsync(ResourceKind kind, ListRequest request)
    {
        var client = _client.For(kind);
        var list = await client.ListAsync(request);
        if (list.Continue.Length == 0)
        {
            return new ObjectList(list.Items, list.ResourceVersion);
        }

        var items = list.Items.ToList();
        for (var page = list; page.Continue.Length > 0;)
        {
            var next = request.Clone();
            next.Continue = page.Continue;
            page = await client.ListAsync(next);
            items.AddRange(page.Items);
        }

        return new ObjectList(items, list.ResourceVersion);
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        ResourceKind kind, WatchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var change in _client.For(kind).WatchAsync(request, cancellationToken))
        {
            yield return new WatchEvent(change.Type.ToString().ToUpperInvariant(), change.Object);
        }
    }

    public void Dispose() => _client.Dispose();
}
