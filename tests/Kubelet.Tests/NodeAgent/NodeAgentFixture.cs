using System.Text;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Serialization;
using KubeMesh.Client;

namespace KubeMesh.Kubelet.Tests.NodeAgent;

/// <summary>One api-server over redis-server and one kubelet, shared by the node agent tests; each test works in its own namespace.</summary>
public sealed class NodeAgentFixture : IAsyncLifetime
{
    public ApiServerFixture ApiServer { get; } = new();

    public InProcessKubelet Kubelet { get; } = InProcessKubelet.Create();

    public KubeMeshClient Client => ApiServer.Client;

    public ResourceClient<Pod> Pods => Client.For<Pod>();

    public async Task InitializeAsync()
    {
        await ApiServer.InitializeAsync();
        await Kubelet.StartAsync(ApiServer.Address);
    }

    public async Task DisposeAsync()
    {
        await Kubelet.DisposeAsync();
        await ApiServer.DisposeAsync();
        Directory.Delete(Kubelet.StateDirectory, recursive: true);
    }

    public async Task<string> NewNamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        await Client.For<Namespace>().CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } });
        return name;
    }

    /// <summary>Decodes a pod manifest (a seed file name or YAML), places it in <paramref name="namespace"/> and binds it to <paramref name="nodeName"/>.</summary>
    public async Task<Pod> CreatePodAsync(string manifestOrFile, string @namespace, string nodeName)
    {
        var yaml = manifestOrFile.EndsWith(".yaml", StringComparison.Ordinal)
            ? TestManifests.Read("seed", manifestOrFile)
            : manifestOrFile;
        var pod = Assert.IsType<Pod>(Assert.Single(ManifestDecoder.Decode(yaml)).Object);
        pod.Metadata.Namespace = @namespace;
        pod.Spec.NodeName = nodeName;
        return await Pods.CreateAsync(pod);
    }

    public async Task<Pod> WaitForPodAsync(Pod pod, Func<Pod, bool> condition, string what, TimeSpan? timeout = null)
    {
        var current = pod;
        try
        {
            await Eventually.Until(async () => condition(current = await Pods.GetAsync(pod.Metadata.Namespace, pod.Metadata.Name)), timeout ?? TimeSpan.FromSeconds(90), what);
            return current;
        }
        catch (TimeoutException)
        {
            var events = string.Join("; ", (await EventsAsync(pod)).Select(e => $"{e.Reason}: {e.Message}"));
            throw new TimeoutException($"pod {pod.Metadata.Name} never got to: {what}; last status: {current.Status}; events: {events}");
        }
    }

    public async Task WaitUntilGoneAsync(Pod pod, TimeSpan timeout)
    {
        await Eventually.Until(
            async () =>
            {
                try
                {
                    await Pods.GetAsync(pod.Metadata.Namespace, pod.Metadata.Name);
                    return false;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                {
                    return true;
                }
            },
            timeout,
            $"pod {pod.Metadata.Name} is removed");
    }

    /// <summary>pods/log through the api-server, which proxies to the kubelet of the pod's node.</summary>
    public async Task<string> LogsAsync(Pod pod, string container = "", bool previous = false, bool follow = false, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        using var call = Client.Pods.GetLogs(new PodLogRequest
        {
            Namespace = pod.Metadata.Namespace,
            Name = pod.Metadata.Name,
            Container = container,
            Previous = previous,
            Follow = follow,
        }, cancellationToken: cts.Token);
        var text = new StringBuilder();
        while (await call.ResponseStream.MoveNext(cts.Token))
        {
            text.Append(call.ResponseStream.Current.Data.ToStringUtf8());
        }

        return text.ToString();
    }

    public async Task<IReadOnlyList<Event>> EventsAsync(Pod pod) =>
        (await Client.For<Event>().ListAsync(new ListRequest { Namespace = pod.Metadata.Namespace })).Items
            .Where(e => e.InvolvedObject.Name == pod.Metadata.Name).ToList();
}
