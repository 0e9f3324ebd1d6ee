using KubeMesh.Kubelet.Runtime;

namespace KubeMesh.Kubelet.Tests.Runtime;

/// <summary>
/// container-init.sh builds a container's root through one `mount --all` when every path is plain, and one command per
/// step otherwise (a space in the kubelet's state directory or in a mountPath); both must give the same container.
/// </summary>
public sealed class ContainerRootTests
{
    [SkippableTheory]
    [InlineData(false, "/vol")]
    [InlineData(false, "/my vol")]
    [InlineData(true, "/vol")]
    public async Task StartContainer_NestedAndReadOnlyMounts_MountedInOrderWithTheirModes(bool spaceInStateDirectory, string outerPath)
    {
        var state = spaceInStateDirectory ? Directory.CreateTempSubdirectory("kubelet test ").FullName : null;
        await using var fixture = new RuntimeFixture(stateDirectory: state);
        await fixture.Runtime.InitializeAsync(CancellationToken.None);
        Skip.If(fixture.Runtime.Isolation == IsolationMode.None, "containers get no mount namespace on this node (not root, no user namespaces), so there is no container root to mount into");
        var pod = fixture.NewPod("outer", "inner");
        await File.WriteAllTextAsync(Path.Combine(pod.EmptyDirPath("inner"), "seed"), "seed\n");
        var handle = await fixture.StartAsync(pod, new ContainerSpec("c", "busybox")
        {
            Command = ["sh", "-c", """
                echo outer > "$OUTER/f"
                cat "$OUTER/inner/seed"
                (echo x > "$OUTER/inner/g") 2>/dev/null && echo inner-writable || echo inner-readonly
                (echo x >> /etc/hosts) 2>/dev/null && echo hosts-writable || echo hosts-readonly
                echo private > /etc/kubemesh-root-test && cat /etc/kubemesh-root-test
                [ -x /bin/sh ] && [ -d /proc/self ] && [ -c /dev/null ] && echo node-tree
                """],
            Env = [new("OUTER", outerPath)],
            Mounts = [new("outer", outerPath), new("inner", outerPath + "/inner", ReadOnly: true)],
        });

        var status = await fixture.WaitAsync(handle);

        Assert.Equal("seed\ninner-readonly\nhosts-readonly\nprivate\nnode-tree", await fixture.LogAsync(handle));
        Assert.Equal(0, status.ExitCode);
        Assert.Equal("outer\n", await File.ReadAllTextAsync(Path.Combine(pod.EmptyDirPath("outer"), "f")));
        Assert.False(File.Exists(Path.Combine(pod.EmptyDirPath("inner"), "g")));
        Assert.False(File.Exists("/etc/kubemesh-root-test"), "a container's writes to the node's tree stay in its own layer");
    }
}
