using System.Net;
using Google.Protobuf;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Serialization;
using KubeMesh.Kubelet.Tests.Runtime;
using KubeMesh.Kubelet.Volumes;

namespace KubeMesh.Kubelet.Tests.NodeAgent;

[Collection(NodeAgentCollection.Name)]
public sealed class VolumeTests(NodeAgentFixture cluster)
{
    private string Node => cluster.Kubelet.NodeName;

    [SkippableFact]
    public async Task Sync_ConfigMapManifest_MountsKeysAsFilesAndFollowsUpdates()
    {
        var ns = await cluster.NewNamespaceAsync();
        var configMaps = cluster.Client.For<ConfigMap>();
        await configMaps.CreateAsync(new ConfigMap
        {
            Metadata = new ObjectMeta { Name = "ex-config", Namespace = ns },
            Data = { ["ex.ample"] = "bar", ["foo2"] = "bar2" },
        });
        var pod = await cluster.CreatePodAsync("13-pod-configmap-usage.yaml", ns, Node);
        var running = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running", "Running");

        // cat prints the file without a final newline: that open last line is in the logs at once all the same.
        Assert.Equal("bar bar2\nbar", await WaitForLogsAsync(running, "bar bar2\nbar"));
        Assert.Equal("bar", (await cluster.Kubelet.ExecAsync(running, "ex-env", "cat", "/config/ex.ample")).Output);
        var listing = await cluster.Kubelet.ExecAsync(running, "ex-env", "ls", "/config");
        Assert.Equal("ex.ample\nfoo2\n", listing.Output);

        var current = await configMaps.GetAsync(ns, "ex-config");
        current.Data["ex.ample"] = "changed";
        await configMaps.UpdateAsync(current);

        await Eventually.Until(async () => (await cluster.Kubelet.ExecAsync(running, "ex-env", "cat", "/config/ex.ample")).Output == "changed",
            TimeSpan.FromSeconds(60),
            "the mounted file to follow the ConfigMap");
    }

    [SkippableFact]
    public async Task Sync_MissingConfigMapVolume_WaitsWithFailedMountUntilItExists()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: needs-volume}
            spec:
              containers:
              - {name: c, image: busybox, command: ["sh", "-c", "cat /cfg/k; echo; sleep 3600"], volumeMounts: [{name: cfg, mountPath: /cfg}]}
              volumes:
              - {name: cfg, configMap: {name: later}}
            """, ns, Node);

        await Eventually.Until(async () => (await cluster.EventsAsync(pod)).Any(e => e.Reason == "FailedMount"
            && e.Message == "MountVolume.SetUp failed for volume \"cfg\" : configmap \"later\" not found"), TimeSpan.FromSeconds(30), "a FailedMount event");
        var waiting = await cluster.Pods.GetAsync(ns, "needs-volume");
        Assert.Equal("Pending", waiting.Status.Phase);
        Assert.Equal("ContainerCreating", waiting.Status.ContainerStatuses[0].State.Waiting.Reason);

        await cluster.Client.For<ConfigMap>().CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "later", Namespace = ns }, Data = { ["k"] = "v" } });
        var running = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running", "Running once the ConfigMap exists");
        Assert.Equal("v", await WaitForLogsAsync(running, "v"));
    }

    [SkippableFact]
    public async Task Sync_ItemsModesAndOptional_WriteOnlyTheListedKeysWithTheirModes()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.Client.For<ConfigMap>().CreateAsync(new ConfigMap
        {
            Metadata = new ObjectMeta { Name = "cfg", Namespace = ns },
            Data = { ["a"] = "A", ["b"] = "B" },
        });
        var pod = await cluster.CreatePodAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: items}
            spec:
              containers:
              - name: c
                image: busybox
                command: ["sh", "-c", "sleep 3600"]
                volumeMounts: [{name: cfg, mountPath: /cfg}, {name: none, mountPath: /none}]
              volumes:
              - name: cfg
                configMap:
                  name: cfg
                  defaultMode: 256
                  items:
                  - {key: a, path: sub/a.txt}
                  - {key: b, path: b.txt, mode: 416}
              - {name: none, secret: {secretName: absent, optional: true}}
            """, ns, Node);
        var running = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running", "Running");

        Assert.Equal("A", (await cluster.Kubelet.ExecAsync(running, "c", "cat", "/cfg/sub/a.txt")).Output);
        Assert.Equal("400 640\n", (await cluster.Kubelet.ExecAsync(running, "c", "sh", "-c", "stat -L -c %a /cfg/sub/a.txt /cfg/b.txt | tr '\\n' ' ' | sed 's/ $//'; echo")).Output);
        Assert.Equal("b.txt\nsub\n", (await cluster.Kubelet.ExecAsync(running, "c", "ls", "/cfg")).Output);
        Assert.Equal("", (await cluster.Kubelet.ExecAsync(running, "c", "ls", "/none")).Output);
    }

    [SkippableFact]
    public async Task Sync_SecretManifest_MountsDecodedKeysInMemory()
    {
        var ns = await cluster.NewNamespaceAsync();
        var secret = Assert.IsType<Secret>(Assert.Single(ManifestDecoder.Decode(await File.ReadAllTextAsync(
            Path.Combine(AppContext.BaseDirectory, "testdata", "manifests", "seed", "14-secret.yaml")))).Object);
        secret.Metadata.Namespace = ns;
        await cluster.Client.For<Secret>().CreateAsync(secret);
        var pod = await cluster.CreatePodAsync("15-pod-secret-usage.yaml", ns, Node);
        var running = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running", "Running");

        Assert.Equal("admin\npassword", await WaitForLogsAsync(running, "admin\npassword"));
        Assert.Equal("password", (await cluster.Kubelet.ExecAsync(running, "ex-env", "cat", "/secret/password")).Output);

        // Only the Secret the pod mounts is watched (metadata.name=NAME in its namespace), and only while a pod uses it.
        var watched = new ConfigSource("Secret", ns, secret.Metadata.Name);
        Assert.Equal(1, cluster.Kubelet.Sources.Watched.GetValueOrDefault(watched));
        Assert.DoesNotContain(cluster.Kubelet.Sources.Watched.Keys, s => s.Namespace == ns && s != watched);
        var directory = Path.Combine(cluster.Kubelet.StateDirectory, "pods", running.Metadata.Uid, "volumes", "kubernetes.io~secret", "ex-volume");
        if (Tmpfs.CanMount)
        {
            Assert.Contains(directory, Tmpfs.MountPoints());
        }

        await cluster.Pods.DeleteAsync(new DeleteRequest { Namespace = ns, Name = running.Metadata.Name, GracePeriodSeconds = 1 });
        await cluster.WaitUntilGoneAsync(running, TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(directory, Tmpfs.MountPoints());
        Assert.False(Directory.Exists(directory));
        await Eventually.Until(() => !cluster.Kubelet.Sources.Watched.ContainsKey(watched), TimeSpan.FromSeconds(30),
            "the Secret's watch to stop once no pod mounts it");
    }

    [SkippableFact]
    public async Task Sync_EmptyDirMediumMemory_IsATmpfsRemovedWithThePod()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: memdir}
            spec:
              containers:
              - {name: c, image: busybox, command: ["sh", "-c", "echo x > /cache/f; sleep 3600"], volumeMounts: [{name: cache, mountPath: /cache}]}
              volumes:
              - {name: cache, emptyDir: {medium: Memory, sizeLimit: 8Mi}}
            """, ns, Node);
        var running = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running", "Running");
        var directory = Path.Combine(cluster.Kubelet.StateDirectory, "pods", running.Metadata.Uid, "volumes", "kubernetes.io~empty-dir", "cache");
        Assert.Equal(Tmpfs.CanMount, Tmpfs.MountPoints().Contains(directory));

        await cluster.Pods.DeleteAsync(new DeleteRequest { Namespace = ns, Name = running.Metadata.Name, GracePeriodSeconds = 1 });
        await cluster.WaitUntilGoneAsync(running, TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(directory, Tmpfs.MountPoints());
    }

    [SkippableFact]
    public async Task Sync_DownwardApiManifest_WritesLabelsAsKubernetesDoes()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("11-pod-downward-api.yaml", ns, Node);
        var running = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running", "Running");

        // The file has no final newline (as Kubernetes writes it); its last line is logged all the same.
        var expected = $"{Node} downward-demo {ns} {running.Status.PodIp}\napp=\"downward-demo\"\ntier=\"study\"";
        Assert.Equal(expected, await WaitForLogsAsync(running, expected));
        Assert.Equal("app=\"downward-demo\"\ntier=\"study\"", (await cluster.Kubelet.ExecAsync(running, "foo", "cat", "/etc/podinfo/labels")).Output);
    }

    [SkippableFact]
    public async Task Sync_DownwardApiItems_ResolveMetadataAndResources()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: info, annotations: {b: "2", a: "1"}}
            spec:
              containers:
              - name: c
                image: busybox
                command: ["sh", "-c", "sleep 3600"]
                resources: {limits: {memory: 64Mi, cpu: 500m}}
                volumeMounts: [{name: info, mountPath: /info}]
              volumes:
              - name: info
                downwardAPI:
                  items:
                  - {path: name, fieldRef: {fieldPath: metadata.name}}
                  - {path: uid, fieldRef: {fieldPath: metadata.uid}}
                  - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
                  - {path: mem, resourceFieldRef: {containerName: c, resource: limits.memory, divisor: 1Mi}}
                  - {path: cpu, resourceFieldRef: {containerName: c, resource: limits.cpu, divisor: 1m}}
            """, ns, Node);
        var running = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running", "Running");

        var output = (await cluster.Kubelet.ExecAsync(running, "c", "sh", "-c", "cat /info/name; echo; cat /info/uid; echo; cat /info/annotations; echo; cat /info/mem; echo; cat /info/cpu")).Output;
        Assert.Equal($"info\n{running.Metadata.Uid}\na=\"1\"\nb=\"2\"\n64\n500", output);
    }

    [SkippableFact]
    public async Task Sync_PersistentVolumeClaim_BindsAndKeepsDataAcrossPods()
    {
        var ns = await cluster.NewNamespaceAsync();
        var claims = cluster.Client.For<PersistentVolumeClaim>();
        await claims.CreateAsync(new PersistentVolumeClaim
        {
            Metadata = new ObjectMeta { Name = "data", Namespace = ns },
            Spec = new PersistentVolumeClaimSpec { AccessModes = { "ReadWriteOnce" }, Resources = new ResourceRequirements { Requests = { ["storage"] = "1Gi" } } },
        });
        const string Template = """
            apiVersion: v1
            kind: Pod
            metadata: {name: NAME}
            spec:
              restartPolicy: Never
              containers:
              - {name: c, image: busybox, command: ["sh", "-c", "SCRIPT"], volumeMounts: [{name: data, mountPath: /data}]}
              volumes:
              - {name: data, persistentVolumeClaim: {claimName: data}}
            """;
        var writer = await cluster.CreatePodAsync(Template.Replace("NAME", "writer").Replace("SCRIPT", "echo kept > /data/file"), ns, Node);
        await cluster.WaitForPodAsync(writer, p => p.Status.Phase == "Succeeded", "Succeeded");
        await cluster.Pods.DeleteAsync(new DeleteRequest { Namespace = ns, Name = "writer", GracePeriodSeconds = 0 });
        await cluster.WaitUntilGoneAsync(writer, TimeSpan.FromSeconds(30));

        var reader = await cluster.CreatePodAsync(Template.Replace("NAME", "reader").Replace("SCRIPT", "cat /data/file"), ns, Node);
        var done = await cluster.WaitForPodAsync(reader, p => p.Status.Phase == "Succeeded", "Succeeded");

        Assert.Equal("kept\n", await cluster.LogsAsync(done));
        var claim = await claims.GetAsync(ns, "data");
        Assert.Equal("Bound", claim.Status.Phase);
        Assert.Equal("1Gi", claim.Status.Capacity["storage"]);
        Assert.Equal(["ReadWriteOnce"], claim.Status.AccessModes);
        var root = Path.GetFullPath(Path.Combine(cluster.Kubelet.StateDirectory, "..", "volumes", ns));
        Assert.Equal("kept\n", await File.ReadAllTextAsync(Path.Combine(root, "data", "file")));
        Directory.Delete(root, recursive: true);
    }

    [SkippableFact]
    public async Task Sync_InitContainerManifest_ServesWhatTheInitContainerWrote()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("10-pod-init-container.yaml", ns, Node);
        var running = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running", "Running");

        Assert.Equal("initialized\n", await RuntimeFixture.GetAsync(IPAddress.Parse(running.Status.PodIp), 80));
    }

    [SkippableFact]
    public async Task Sync_HostPathManifest_ServesTheHostDirectory()
    {
        Directory.CreateDirectory("/tmp/kubemesh-hostpath-demo");
        var marker = "hostpath " + Guid.NewGuid().ToString("N");
        await File.WriteAllTextAsync("/tmp/kubemesh-hostpath-demo/index.html", marker);
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("05-pod-hostpath.yaml", ns, Node);
        var running = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running", "Running");

        Assert.Equal(marker, await RuntimeFixture.GetAsync(IPAddress.Parse(running.Status.PodIp), 80));
        await cluster.Pods.DeleteAsync(new DeleteRequest { Namespace = ns, Name = running.Metadata.Name, GracePeriodSeconds = 0 });
        await cluster.WaitUntilGoneAsync(running, TimeSpan.FromSeconds(30));
    }

    /// <summary>The pod's logs, trimmed, once they are <paramref name="expected"/> (the timeout's message shows the last ones).</summary>
    private async Task<string> WaitForLogsAsync(Pod pod, string expected) =>
        (await Eventually.Until(() => cluster.LogsAsync(pod), logs => logs.Trim() == expected, TimeSpan.FromSeconds(15), $"the logs of {pod.Metadata.Name} are \"{expected}\"")).Trim();
}
