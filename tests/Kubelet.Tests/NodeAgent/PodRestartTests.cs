using Grpc.Core;

namespace KubeMesh.Kubelet.Tests.NodeAgent;

[Collection(NodeAgentCollection.Name)]
public sealed class PodRestartTests(NodeAgentFixture cluster)
{
    private string Node => cluster.Kubelet.NodeName;

    [SkippableFact]
    public async Task Sync_CrashingContainerWithAlways_ClimbsRestartCountInCrashLoopBackOff()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: crasher}
            spec:
              containers:
              - {name: c, image: busybox, command: ["sh", "-c", "echo run; exit 1"]}
            """, ns, Node);

        var looping = await cluster.WaitForPodAsync(pod,
            p => p.Status.ContainerStatuses.FirstOrDefault() is { RestartCount: >= 2, State.Waiting.Reason: "CrashLoopBackOff" },
            "CrashLoopBackOff after two restarts");

        var status = looping.Status.ContainerStatuses[0];
        Assert.Matches(@"^back-off \d+(\.\d+)?m?s restarting failed container=c pod=crasher_" + ns + @"\(" + looping.Metadata.Uid + @"\)$", status.State.Waiting.Message);
        Assert.Equal(1, status.LastState.Terminated.ExitCode);
        Assert.Equal("Error", status.LastState.Terminated.Reason);
        Assert.Equal("Running", looping.Status.Phase);
        Assert.Contains(looping.Status.Conditions, c => c.Type == "Ready" && c.Status == "False" && c.Reason == "ContainersNotReady");
        Assert.Equal("run\n", await cluster.LogsAsync(looping, previous: true));
        Assert.Contains(await cluster.EventsAsync(pod), e => e.Reason == "BackOff" && e.Type == "Warning"
            && e.Message.StartsWith("Back-off restarting failed container c in pod crasher_", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Sync_OnFailureExitsZero_NotRestartedAndSucceeded()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: retry}
            spec:
              restartPolicy: OnFailure
              volumes: [{name: scratch, hostPath: {path: /tmp/kubemesh-test-ONFAILURE}}]
              containers:
              - name: c
                image: busybox
                command: ["sh", "-c", "if [ -e /data/ran ]; then echo second; exit 0; fi; touch /data/ran; echo first; exit 2"]
                volumeMounts: [{name: scratch, mountPath: /data}]
            """.Replace("ONFAILURE", ns, StringComparison.Ordinal), ns, Node);

        try
        {
            var done = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Succeeded", "Succeeded after one restart");

            var status = done.Status.ContainerStatuses[0];
            Assert.Equal(1, status.RestartCount);
            Assert.Equal(2, status.LastState.Terminated.ExitCode);
            Assert.Equal("second\n", await cluster.LogsAsync(done));
            Assert.Equal("first\n", await cluster.LogsAsync(done, previous: true));
        }
        finally
        {
            Directory.Delete("/tmp/kubemesh-test-" + ns, recursive: true);
        }
    }

    [SkippableFact]
    public async Task Sync_UnknownImage_ErrImagePullThenImagePullBackOff()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: bad-image}
            spec:
              containers:
              - {name: c, image: "example.com/nope:1.0"}
            """, ns, Node);

        // ErrImagePull lasts only until the first back-off starts; a poll may see only ImagePullBackOff,
        // whose message carries the pull error, and the Failed event records ErrImagePull itself.
        var backingOff = await cluster.WaitForPodAsync(pod, p => p.Status.ContainerStatuses.FirstOrDefault()?.State?.Waiting?.Reason == "ImagePullBackOff", "ImagePullBackOff");

        Assert.StartsWith("Back-off pulling image \"example.com/nope:1.0\": ErrImagePull: ", backingOff.Status.ContainerStatuses[0].State.Waiting.Message, StringComparison.Ordinal);
        Assert.Contains("available images: alpine, busybox, hashicorp/http-echo, nginx", backingOff.Status.ContainerStatuses[0].State.Waiting.Message, StringComparison.Ordinal);
        Assert.Equal("Pending", backingOff.Status.Phase);
        var events = await cluster.EventsAsync(pod);
        Assert.Contains(events, e => e.Reason == "Failed" && e.Message == "Error: ErrImagePull");
        Assert.Contains(events, e => e.Reason == "BackOff" && e.Message == "Back-off pulling image \"example.com/nope:1.0\"");
        var error = await Assert.ThrowsAsync<RpcException>(() => cluster.LogsAsync(backingOff));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("container \"c\" in pod \"bad-image\" is waiting to start: ImagePullBackOff", error.Status.Detail, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task GetLogs_NoPreviousInstance_NotFoundAsKubectlSays()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("04-pod-env.yaml", ns, Node);
        await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running", "Running");

        var error = await Assert.ThrowsAsync<RpcException>(() => cluster.LogsAsync(pod, previous: true));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("previous terminated container \"mycontainer1\" in pod \"env-demo\" not found", error.Status.Detail);
    }

    [SkippableFact]
    public async Task GetLogs_Follow_StreamsUntilTheContainerExits()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: ticker}
            spec:
              restartPolicy: Never
              containers:
              - {name: c, image: busybox, command: ["sh", "-c", "for i in 1 2 3; do echo tick $i; sleep 0.4; done"]}
            """, ns, Node);
        await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running", "Running");

        var logs = await cluster.LogsAsync(pod, follow: true, timeout: TimeSpan.FromSeconds(20));

        Assert.Equal("tick 1\ntick 2\ntick 3\n", logs);
    }
}
