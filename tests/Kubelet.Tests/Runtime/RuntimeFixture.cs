using System.Net;
using KubeMesh.Kubelet.Images;
using KubeMesh.Kubelet.Runtime;
using KubeMesh.Kubelet.Runtime.Cgroups;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeMesh.Kubelet.Tests.Runtime;

/// <summary>A runtime over a throw-away state directory and pod range; stops every container it started.</summary>
internal sealed class RuntimeFixture : IAsyncDisposable
{
    private readonly List<ContainerHandle> _started = [];
    private readonly PodIpAllocator _ips;

    public RuntimeFixture(IsolationMode isolation = IsolationMode.Auto, string? stateDirectory = null, CgroupMode cgroups = CgroupMode.Auto)
    {
        StateDirectory = stateDirectory ?? Directory.CreateTempSubdirectory("kubelet-test-").FullName;
        Logs = new ContainerLogStore(Path.Combine(StateDirectory, "logs"));
        Runtime = new ProcessContainerRuntime(new ContainerRuntimeOptions { StateDirectory = StateDirectory, Isolation = isolation, Cgroups = cgroups },
            new ImageRegistry(new ImageRegistryOptions()), Logs, NullLogger<ProcessContainerRuntime>.Instance);
        _ips = new PodIpAllocator(PodIpRange.Parse($"127.{Random.Shared.Next(100, 250)}.{Random.Shared.Next(1, 255)}.0/24"), StateDirectory);
    }

    public string StateDirectory { get; }

    public ContainerLogStore Logs { get; }

    public ProcessContainerRuntime Runtime { get; }

    public PodSandbox NewPod(params string[] emptyDirs)
    {
        var uid = Guid.NewGuid().ToString();
        var pod = new PodSandbox(uid, "default", "pod-" + uid[..8], _ips.Allocate(uid), Path.Combine(StateDirectory, "pods", uid));
        var volumes = emptyDirs.ToDictionary(name => name, pod.EmptyDirPath);
        foreach (var directory in volumes.Values)
        {
            Directory.CreateDirectory(directory);
        }

        return pod with { Volumes = volumes };
    }

    public async Task<ContainerHandle> StartAsync(PodSandbox pod, ContainerSpec spec)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var handle = await Runtime.StartContainerAsync(pod, spec, timeout.Token);
        _started.Add(handle);
        return handle;
    }

    public async Task<ContainerStatus> WaitAsync(ContainerHandle handle)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await Runtime.WaitForExitAsync(handle, timeout.Token);
    }

    public async Task<string> LogAsync(ContainerHandle handle, bool previous = false)
    {
        var lines = new List<string>();
        await foreach (var line in Logs.ReadAsync(handle.PodUid, handle.ContainerName, previous))
        {
            lines.Add(line.Text);
        }

        return string.Join('\n', lines);
    }

    /// <summary>GET until the server answers (a fresh .NET server takes a moment to listen).</summary>
    public static async Task<string> GetAsync(IPAddress address, int port, string path = "/")
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return await Eventually.Returns(() => client.GetStringAsync($"http://{address}:{port}{path}"), TimeSpan.FromSeconds(90));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var handle in _started)
        {
            await Runtime.StopContainerAsync(handle, TimeSpan.FromSeconds(2));
        }

        Runtime.Dispose();

        Directory.Delete(StateDirectory, recursive: true);
    }
}
