using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Quantities;

namespace KubeMesh.Kubelet.Tests.NodeAgent;

/// <summary>env.valueFrom.resourceFieldRef, resolved by the kubelet and printed by the container's own process.</summary>
[Collection(NodeAgentCollection.Name)]
public sealed class DownwardApiEnvTests(NodeAgentFixture cluster)
{
    private string Node => cluster.Kubelet.NodeName;

    [Fact]
    public async Task Sync_ResourceFieldRefEnv_ResolvesLimitsRequestsDivisorsAndNodeAllocatable()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: resources}
            spec:
              restartPolicy: Never
              containers:
              - name: main
                image: busybox
                command: ["sh", "-c", "env | grep -E '^(LIMIT|REQUEST|SIDE)_' | sort"]
                resources:
                  limits: {cpu: 250m, memory: 100M}
                  requests: {cpu: 100m, memory: 50M}
                env:
                - name: LIMIT_CPU
                  valueFrom: {resourceFieldRef: {resource: limits.cpu}}
                - name: LIMIT_CPU_MILLI
                  valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}
                - name: LIMIT_MEMORY
                  valueFrom: {resourceFieldRef: {containerName: main, resource: limits.memory}}
                - name: LIMIT_MEMORY_MI
                  valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}
                - name: REQUEST_CPU
                  valueFrom: {resourceFieldRef: {resource: requests.cpu}}
                - name: REQUEST_CPU_MILLI
                  valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m}}
                - name: REQUEST_MEMORY_KI
                  valueFrom: {resourceFieldRef: {resource: requests.memory, divisor: 1Ki}}
                - name: SIDE_LIMIT_CPU_MILLI
                  valueFrom: {resourceFieldRef: {containerName: side, resource: limits.cpu, divisor: 1m}}
                - name: SIDE_LIMIT_MEMORY
                  valueFrom: {resourceFieldRef: {containerName: side, resource: limits.memory}}
                - name: SIDE_REQUEST_CPU
                  valueFrom: {resourceFieldRef: {containerName: side, resource: requests.cpu}}
                - name: SIDE_REQUEST_MEMORY
                  valueFrom: {resourceFieldRef: {containerName: side, resource: requests.memory}}
              - name: side
                image: busybox
                command: ["true"]
            """, ns, Node);

        var done = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Succeeded", "Succeeded");

        // A container without limits sees the node's allocatable amount, as the node reports it.
        var allocatable = (await cluster.Client.For<Api.Core.V1.Node>().GetAsync("", Node)).Status.Allocatable;
        var nodeCpuMilli = Quantity.Parse(allocatable["cpu"]).MilliValue;
        var nodeMemory = Quantity.Parse(allocatable["memory"]).Value;
        Assert.Equal(
            $"""
            LIMIT_CPU=1
            LIMIT_CPU_MILLI=250
            LIMIT_MEMORY=100000000
            LIMIT_MEMORY_MI=96
            REQUEST_CPU=1
            REQUEST_CPU_MILLI=100
            REQUEST_MEMORY_KI=48829
            SIDE_LIMIT_CPU_MILLI={nodeCpuMilli}
            SIDE_LIMIT_MEMORY={nodeMemory}
            SIDE_REQUEST_CPU=0
            SIDE_REQUEST_MEMORY=0

            """,
            await cluster.LogsAsync(done, "main"));
    }

    [Fact]
    public async Task Sync_ResourceFieldRefToUnknownContainer_WaitsWithCreateContainerConfigError()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: no-such-container}
            spec:
              containers:
              - name: main
                image: busybox
                command: ["sh", "-c", "sleep 3600"]
                env:
                - name: CPU
                  valueFrom: {resourceFieldRef: {containerName: absent, resource: limits.cpu}}
            """, ns, Node);

        var waiting = await cluster.WaitForPodAsync(
            pod, p => p.Status.ContainerStatuses.Any(s => s.State?.Waiting?.Reason == "CreateContainerConfigError"), "CreateContainerConfigError");

        Assert.Equal("resourceFieldRef.containerName: Not found: \"absent\"", waiting.Status.ContainerStatuses[0].State.Waiting.Message);
        Assert.Equal("Pending", waiting.Status.Phase);
    }
}
