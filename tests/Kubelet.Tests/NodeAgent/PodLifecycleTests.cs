using System.Net;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Kubelet.Tests.Runtime;

namespace KubeMesh.Kubelet.Tests.NodeAgent;

[Collection(NodeAgentCollection.Name)]
public sealed class PodLifecycleTests(NodeAgentFixture cluster)
{
    private string Node => cluster.Kubelet.NodeName;

    [SkippableFact]
    public async Task Sync_NginxManifest_RunsWithPodIpAndServesWelcomePage()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("01-pod-nginx.yaml", ns, Node);

        var running = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running" && p.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True"), "Running and Ready");

        var ip = IPAddress.Parse(running.Status.PodIp);
        Assert.StartsWith($"127.10.{cluster.Kubelet.NodeIndex}.", running.Status.PodIp, StringComparison.Ordinal);
        Assert.Equal(cluster.Kubelet.Address.ToString(), running.Status.HostIp);
        Assert.Equal(running.Status.PodIp, Assert.Single(running.Status.PodIps).Ip);
        Assert.NotNull(running.Status.StartTime);
        var status = Assert.Single(running.Status.ContainerStatuses);
        Assert.NotNull(status.State.Running);
        Assert.True(status.Ready);
        Assert.True(status.Started);
        Assert.StartsWith("kubemesh://", status.ContainerId, StringComparison.Ordinal);
        Assert.Equal("nginx:1.14.2", status.Image);
        Assert.Equal("docker.io/library/nginx:1.14.2", status.ImageId);
        Assert.Equal(["Initialized", "Ready", "ContainersReady", "PodScheduled"], running.Status.Conditions.Select(c => c.Type));
        var page = await RuntimeFixture.GetAsync(ip, 80);
        Assert.Contains("Welcome to nginx!", page, StringComparison.Ordinal);

        var events = await cluster.EventsAsync(pod);
        Assert.Contains(events, e => e.Reason == "Pulled" && e.Message == "Container image \"nginx:1.14.2\" already present on machine");
        Assert.Contains(events, e => e.Reason == "Created" && e.Message == "Created container nginx");
        Assert.Contains(events, e => e.Reason == "Started" && e.Message == "Started container nginx" && e.Source.Component == "kubelet" && e.Source.Host == Node);
    }

    [SkippableFact]
    public async Task Sync_CommandArgsManifest_SucceedsOnceWithLogs()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("03-pod-command-args.yaml", ns, Node);

        var done = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Succeeded", "Succeeded");

        var status = Assert.Single(done.Status.ContainerStatuses);
        Assert.Equal(0, status.RestartCount);
        Assert.Equal("Completed", status.State.Terminated.Reason);
        Assert.Equal(0, status.State.Terminated.ExitCode);
        Assert.Contains(done.Status.Conditions, c => c.Type == "Ready" && c.Status == "False" && c.Reason == "PodCompleted");
        Assert.Equal("hello\n", await cluster.LogsAsync(done));
    }

    [SkippableFact]
    public async Task Sync_EnvManifest_LogsTheVariable()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("04-pod-env.yaml", ns, Node);
        await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running", "Running");

        var logs = await Eventually.Until(() => cluster.LogsAsync(pod), l => l.Contains("ENV_VAR1=value1", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the container logs its variable");
        Assert.Equal("ENV_VAR1=value1\n", logs);
    }

    [SkippableFact]
    public async Task Sync_EnvFromConfigMapFieldRefsAndExpansion_ResolvesAsKubernetes()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.Client.For<ConfigMap>().CreateAsync(new ConfigMap
        {
            Metadata = new ObjectMeta { Name = "cfg", Namespace = ns },
            Data = { ["color"] = "blue", ["size"] = "L" },
        });
        var pod = await cluster.CreatePodAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: env, labels: {app: demo}}
            spec:
              restartPolicy: Never
              containers:
              - name: c
                image: busybox
                command: ["sh", "-c", "echo $(GREETING) '$$(LITERAL)' pod=$POD ns=$NS node=$NODE app=$APP ip=$IP color=$COLOR cfg_size=$CFG_size"]
                envFrom:
                - prefix: CFG_
                  configMapRef: {name: cfg}
                env:
                - {name: NAME, value: world}
                - {name: GREETING, value: "hello-$(NAME)"}
                - name: POD
                  valueFrom: {fieldRef: {fieldPath: metadata.name}}
                - name: NS
                  valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
                - name: NODE
                  valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
                - name: APP
                  valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}
                - name: IP
                  valueFrom: {fieldRef: {fieldPath: status.podIP}}
                - name: COLOR
                  valueFrom: {configMapKeyRef: {name: cfg, key: color}}
                - name: ABSENT
                  valueFrom: {configMapKeyRef: {name: nope, key: x, optional: true}}
            """, ns, Node);

        var done = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Succeeded", "Succeeded");

        Assert.Equal($"hello-world $(LITERAL) pod=env ns={ns} node={Node} app=demo ip={done.Status.PodIp} color=blue cfg_size=L\n", await cluster.LogsAsync(done));
    }

    [SkippableFact]
    public async Task Sync_ServicesOfTheNamespaceAndTheApiServer_AreInTheEnvironmentAsTheKubeletWritesThem()
    {
        var ns = await cluster.NewNamespaceAsync();
        var services = cluster.Client.For<Service>();
        var web = await services.CreateAsync(new Service
        {
            Metadata = new ObjectMeta { Name = "web-svc", Namespace = ns },
            Spec = new ServiceSpec
            {
                Selector = { ["app"] = "web" },
                Ports =
                {
                    new ServicePort { Name = "http", Port = 80, Protocol = "TCP" },
                    new ServicePort { Name = "metrics", Port = 9090, Protocol = "TCP" },
                },
            },
        });
        await services.CreateAsync(new Service
        {
            Metadata = new ObjectMeta { Name = "headless", Namespace = ns },
            Spec = new ServiceSpec { ClusterIp = "None", Selector = { ["app"] = "web" }, Ports = { new ServicePort { Name = "http", Port = 80 } } },
        });
        Service master;
        try
        {
            master = await services.GetAsync("default", "kubernetes");
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
        {
            master = await services.CreateAsync(new Service
            {
                Metadata = new ObjectMeta { Name = "kubernetes", Namespace = "default" },
                Spec = new ServiceSpec { Ports = { new ServicePort { Name = "https", Port = 443, Protocol = "TCP" } } },
            });
        }

        const string Command = "env | grep -E '^(WEB_SVC|HEADLESS|KUBERNETES|URL)' | LC_ALL=C sort";
        var linked = await cluster.CreatePodAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: linked}
            spec:
              restartPolicy: Never
              containers:
              - name: c
                image: busybox
                command: ["sh", "-c", "{{Command}}"]
                env:
                - {name: URL, value: "http://$(WEB_SVC_SERVICE_HOST):$(WEB_SVC_SERVICE_PORT)/"}
                - {name: WEB_SVC_PORT_9090_TCP_PROTO, value: mine}
            """, ns, Node);
        var unlinked = await cluster.CreatePodAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: unlinked}
            spec:
              restartPolicy: Never
              enableServiceLinks: false
              containers:
              - name: c
                image: busybox
                command: ["sh", "-c", "{{Command}}"]
            """, ns, Node);

        var (k, w) = (master.Spec.ClusterIp, web.Spec.ClusterIp);
        var kubernetes = $"""
            KUBERNETES_PORT=tcp://{k}:443
            KUBERNETES_PORT_443_TCP=tcp://{k}:443
            KUBERNETES_PORT_443_TCP_ADDR={k}
            KUBERNETES_PORT_443_TCP_PORT=443
            KUBERNETES_PORT_443_TCP_PROTO=tcp
            KUBERNETES_SERVICE_HOST={k}
            KUBERNETES_SERVICE_PORT=443
            KUBERNETES_SERVICE_PORT_HTTPS=443

            """;
        var done = await cluster.WaitForPodAsync(linked, p => p.Status.Phase == "Succeeded", "Succeeded");
        Assert.Equal(kubernetes + $"""
            URL=http://{w}:80/
            WEB_SVC_PORT=tcp://{w}:80
            WEB_SVC_PORT_80_TCP=tcp://{w}:80
            WEB_SVC_PORT_80_TCP_ADDR={w}
            WEB_SVC_PORT_80_TCP_PORT=80
            WEB_SVC_PORT_80_TCP_PROTO=tcp
            WEB_SVC_PORT_9090_TCP=tcp://{w}:9090
            WEB_SVC_PORT_9090_TCP_ADDR={w}
            WEB_SVC_PORT_9090_TCP_PORT=9090
            WEB_SVC_PORT_9090_TCP_PROTO=mine
            WEB_SVC_SERVICE_HOST={w}
            WEB_SVC_SERVICE_PORT=80
            WEB_SVC_SERVICE_PORT_HTTP=80
            WEB_SVC_SERVICE_PORT_METRICS=9090

            """, await cluster.LogsAsync(done));

        // enableServiceLinks: false keeps only the api-server's, which in-cluster clients need.
        done = await cluster.WaitForPodAsync(unlinked, p => p.Status.Phase == "Succeeded", "Succeeded");
        Assert.Equal(kubernetes, await cluster.LogsAsync(done));
    }

    [SkippableFact]
    public async Task Sync_MissingConfigMap_WaitsWithCreateContainerConfigErrorUntilItExists()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: needs-config}
            spec:
              containers:
              - name: c
                image: busybox
                command: ["sh", "-c", "echo $KEY; sleep 3600"]
                env:
                - name: KEY
                  valueFrom: {configMapKeyRef: {name: later, key: k}}
            """, ns, Node);

        var waiting = await cluster.WaitForPodAsync(pod, p => p.Status.ContainerStatuses.Any(s => s.State?.Waiting?.Reason == "CreateContainerConfigError"), "CreateContainerConfigError");
        Assert.Equal("configmap \"later\" not found", waiting.Status.ContainerStatuses[0].State.Waiting.Message);
        Assert.Equal("Pending", waiting.Status.Phase);

        await cluster.Client.For<ConfigMap>().CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "later", Namespace = ns }, Data = { ["k"] = "v" } });
        await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running", "Running once the ConfigMap exists");
    }

    [SkippableFact]
    public async Task Sync_InitContainers_RunInOrderBeforeTheMainContainer()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: init}
            spec:
              restartPolicy: Never
              volumes:
              - {name: work, emptyDir: {}}
              initContainers:
              - {name: first, image: busybox, command: ["sh", "-c", "sleep 0.5; echo first >> /work/order"], volumeMounts: [{name: work, mountPath: /work}]}
              - {name: second, image: busybox, command: ["sh", "-c", "echo second >> /work/order"], volumeMounts: [{name: work, mountPath: /work}]}
              containers:
              - {name: main, image: busybox, command: ["sh", "-c", "echo main >> /work/order; cat /work/order"], volumeMounts: [{name: work, mountPath: /work}]}
            """, ns, Node);

        var done = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Succeeded", "Succeeded");

        Assert.Equal("first\nsecond\nmain\n", await cluster.LogsAsync(done, "main"));
        Assert.All(done.Status.InitContainerStatuses, s => Assert.Equal("Completed", s.State.Terminated.Reason));
        Assert.Contains(done.Status.Conditions, c => c.Type == "Initialized" && c.Status == "True");
    }

    [SkippableFact]
    public async Task Sync_FailingInitContainerWithNever_FailsThePodWithoutStartingMain()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: init-fails}
            spec:
              restartPolicy: Never
              initContainers:
              - {name: setup, image: busybox, command: ["sh", "-c", "exit 3"]}
              containers:
              - {name: main, image: busybox, command: ["sh", "-c", "sleep 3600"]}
            """, ns, Node);

        var failed = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Failed", "Failed");

        Assert.Equal(3, failed.Status.InitContainerStatuses[0].State.Terminated.ExitCode);
        Assert.Equal("PodInitializing", failed.Status.ContainerStatuses[0].State.Waiting.Reason);
    }
}
