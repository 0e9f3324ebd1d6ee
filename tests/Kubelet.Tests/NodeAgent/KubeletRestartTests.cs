using KubeMesh.Api.Core.V1;

namespace KubeMesh.Kubelet.Tests.NodeAgent;

/// <summary>A kubelet of its own (on the shared api-server), stopped and started again over the same state directory.</summary>
[Collection(NodeAgentCollection.Name)]
public sealed class KubeletRestartTests(NodeAgentFixture cluster)
{
    [SkippableFact]
    public async Task Restart_RunningPods_StartedAgainOnceCountedAsRestartFinishedPodsLeftAlone()
    {
        var first = InProcessKubelet.Create();
        var stateDirectory = first.StateDirectory;
        InProcessKubelet? second = null;
        try
        {
            await first.StartAsync(cluster.ApiServer.Address);
            var ns = await cluster.NewNamespaceAsync();
            var sleeper = await cluster.CreatePodAsync("04-pod-env.yaml", ns, first.NodeName);
            var once = await cluster.CreatePodAsync("03-pod-command-args.yaml", ns, first.NodeName);
            var running = await cluster.WaitForPodAsync(sleeper, p => p.Status.Phase == "Running", "Running");
            await cluster.WaitForPodAsync(once, p => p.Status.Phase == "Succeeded", "Succeeded");
            var oldPid = first.Pods.Find(ns, "env-demo")!.FindContainer("mycontainer1")!.Handle!.Pid;

            await first.StopAsync();
            Assert.False(Directory.Exists($"/proc/{oldPid}") && !File.ReadAllText($"/proc/{oldPid}/stat").Contains(") Z ", StringComparison.Ordinal),
                "stopping the kubelet stops its containers");

            second = InProcessKubelet.Create(stateDirectory, first.NodeIndex);
            await second.StartAsync(cluster.ApiServer.Address);
            var again = await cluster.WaitForPodAsync(sleeper,
                p => p.Status.ContainerStatuses[0] is { RestartCount: 1, State.Running: not null }, "running again after one restart");

            Assert.Equal(running.Status.PodIp, again.Status.PodIp);
            Assert.Equal(137, again.Status.ContainerStatuses[0].LastState.Terminated.ExitCode);
            Assert.NotEqual(running.Status.ContainerStatuses[0].ContainerId, again.Status.ContainerStatuses[0].ContainerId);
            // The record of the instance that died with the old kubelet goes once the new one is running; the status
            // that says so may be written first.
            var records = Path.Combine(stateDirectory, "containers");
            await Eventually.Until(() => Directory.GetFiles(records, "*.json").Length <= 1, TimeSpan.FromSeconds(30), "the dead instance's record is removed");
            Assert.Single(Directory.GetFiles(records, "*.json"));
            var finished = await cluster.Pods.GetAsync(ns, "echo-once");
            Assert.Equal("Succeeded", finished.Status.Phase);
            Assert.Equal(0, finished.Status.ContainerStatuses[0].RestartCount);
            Assert.NotEmpty(finished.Status.PodIp);
            Assert.StartsWith("ENV_VAR1=value1\n", await cluster.LogsAsync(again, previous: true), StringComparison.Ordinal);
        }
        finally
        {
            await first.DisposeAsync();
            if (second is not null)
            {
                await second.DisposeAsync();
            }

            await DeleteAsync(stateDirectory);
        }
    }

    /// <summary>
    /// A stopped container's record goes when its output is drained (up to 5 s after it exits), which may still be
    /// under way once the kubelet has stopped: retry until the directory holds still.
    /// </summary>
    private static async Task DeleteAsync(string directory)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 40)
            {
                await Task.Delay(250);
            }
        }
    }
}
