using Grpc.Core;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Networking.V1;
using KubeMesh.Client;

namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>
/// Against a running cluster: N http-echo pods through a Deployment, a Service and an Ingress, created through the
/// api-server; the run waits for N ready endpoints and removes the objects afterwards.
/// </summary>
internal sealed class ClusterDeployment(KubeMeshClient client, bool keep) : IAsyncDisposable
{
    public static async Task<(ClusterDeployment Deployment, BenchTarget Target)> StartAsync(BenchOptions options)
    {
        var client = KubeMeshClient.Create(options.Kubeconfig is { } kubeconfig
            ? KubeMesh.Client.Credentials.Kubeconfig.Load(kubeconfig) with { Address = options.Server! }
            : new KubeMesh.Client.Credentials.ApiServerConnection(options.Server!));
        var deployment = new ClusterDeployment(client, options.Keep);

        // A cluster just started (dotnet run --project AppHost, then the bench) may not serve yet.
        await Processes.WaitUntilAsync(
            async () => (await client.For<Namespace>().ListAsync(new ListRequest())).Items.Count > 0,
            $"the api-server at {options.Server} serves",
            TimeSpan.FromMinutes(2));
        await CreateOrReplaceAsync(client.For<Deployment>(), BenchObjects.Deployment(options.Backends));
        await CreateOrReplaceAsync(client.For<Service>(), BenchObjects.Service());
        await CreateOrReplaceAsync(client.For<Ingress>(), BenchObjects.Ingress());

        // Listed is not yet serving: after the cluster restarts, Endpoints may still name the pods of its last run
        // until their kubelets report them again. Every address must answer before wrk is pointed at it.
        IReadOnlyList<string> pods = [];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Processes.WaitUntilAsync(
            async () =>
            {
                var endpoints = await client.For<Endpoints>().GetAsync("default", BenchObjects.Name);
                pods = [.. endpoints.Subsets.SelectMany(s => s.Addresses.SelectMany(a => s.Ports.Select(p => $"{a.Ip}:{p.Port}")))];
                if (pods.Count < options.Backends)
                {
                    return false;
                }

                var answers = await Task.WhenAll(pods.Select(async pod =>
                {
                    try
                    {
                        using var response = await http.GetAsync($"http://{pod}/");
                        return response.IsSuccessStatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                }));
                return answers.All(ok => ok);
            },
            $"{options.Backends} http-echo pods are ready and answer",
            TimeSpan.FromMinutes(2));

        var url = $"http://127.0.0.1:{options.IngressPort}/";
        await Processes.WaitUntilAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Host = InProcessCluster.Host } };
                using var response = await http.SendAsync(request);
                return response.IsSuccessStatusCode;
            },
            "the ingress routes to the pods",
            TimeSpan.FromSeconds(60));
        return (deployment, new BenchTarget(url, InProcessCluster.Host, pods));
    }

    public async ValueTask DisposeAsync()
    {
        if (keep)
        {
            client.Dispose();
            return;
        }

        await client.For<Ingress>().DeleteAsync("default", BenchObjects.Name);
        await client.For<Service>().DeleteAsync("default", BenchObjects.Name);
        await client.For<Deployment>().DeleteAsync("default", BenchObjects.Name);
        client.Dispose();
    }

    private static async Task CreateOrReplaceAsync<T>(ResourceClient<T> resources, T obj)
        where T : class, Google.Protobuf.IMessage<T>, new()
    {
        try
        {
            await resources.CreateAsync(obj);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            var metadata = resources.Kind.Metadata(obj);
            await resources.DeleteAsync(metadata.Namespace, metadata.Name);
            await Task.Delay(500);
            await resources.CreateAsync(obj);
        }
    }
}
