using System.Text.RegularExpressions;
using KubeMesh.Api.Core.V1;

namespace KubeMesh.EndToEnd;

/// <summary>
/// The real kubectl (/usr/bin/kubectl, 1.32) against the cluster's REST API, through the kubeconfig the AppHost
/// writes: the acceptance list of KUBECTL-REST.md, each command as a user types it, with its output as kubectl
/// prints it against Kubernetes. One discovery cache for the class, fresh.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed partial class KubectlEndToEndTests(ClusterFixture cluster) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly Kubectl _kubectl = new(cluster.Kubeconfig);
    private readonly string _files = Directory.CreateTempSubdirectory("kubectl-e2e-").FullName;

    public void Dispose()
    {
        _kubectl.Dispose();
        Directory.Delete(_files, recursive: true);
    }

    [Fact]
    public async Task Discovery_And_Errors_AreWhatKubectlPrintsAgainstKubernetes()
    {
        await using var ns = await TestNamespace.CreateAsync(cluster, "e2e-kc-err");

        var resources = await _kubectl.OkAsync("api-resources");
        Assert.Matches(@"(?m)^pods\s+po\s+v1\s+true\s+Pod$", resources);
        Assert.Matches(@"(?m)^deployments\s+deploy\s+apps/v1\s+true\s+Deployment$", resources);
        Assert.Matches(@"(?m)^controllerrevisions\s+apps/v1\s+true\s+ControllerRevision$", resources);

        var result = await _kubectl.RunAsync(["-n", ns.Name, "get", "deploy", "nope"]);
        Assert.Equal((1, "Error from server (NotFound): deployments.apps \"nope\" not found\n"), (result.ExitCode, result.StandardError));

        var invalid = await FileAsync("invalid.yaml", Deployment("x", replicas: -1, image: "nginx:1.14.2", ("A", "1")));
        result = await _kubectl.RunAsync(["-n", ns.Name, "apply", "-f", invalid]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("The Deployment \"x\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n", result.StandardError);

        // The default --validate=strict leaves unknown fields to the server, which refuses them as manifests are refused.
        var unknown = await FileAsync("unknown.yaml", Deployment("typo", replicas: 1, image: "nginx:1.14.2").Replace("  replicas: 1", "  replicas: 1\n  replica: 2", StringComparison.Ordinal));
        result = await _kubectl.RunAsync(["-n", ns.Name, "create", "-f", unknown]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replica\"", result.StandardError);
    }

    [Fact]
    public async Task Pod_CreateGetDescribeLogsExecWatchDelete_WorkAsAgainstKubernetes()
    {
        await using var ns = await TestNamespace.CreateAsync(cluster, "e2e-kc-pod");
        var file = await FileAsync("pod.yaml", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              labels: {app: web}
            spec:
              containers:
              - name: c
                image: busybox
                command: ["sh", "-c", "echo one; echo two; echo three; exec sleep 3600"]
            """);

        Assert.Equal("pod/web created\n", await _kubectl.OkAsync("-n", ns.Name, "create", "-f", file));
        var again = await _kubectl.RunAsync(["-n", ns.Name, "create", "-f", file]);
        Assert.Equal((1, $"Error from server (AlreadyExists): error when creating \"{file}\": pods \"web\" already exists\n"), (again.ExitCode, again.StandardError));

        await ns.WaitForPodAsync("web", p => p.Status?.Phase == "Running");
        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nweb\s+1/1\s+Running\s+0\s+\S+\n$", await _kubectl.OkAsync("-n", ns.Name, "get", "pods"));
        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\nweb\s+1/1\s+Running\s+0\s+\S+\s+127\.\d+\.\d+\.\d+\s+node-\d\s+<none>\s+<none>\n$",
            await _kubectl.OkAsync("-n", ns.Name, "get", "pods", "-o", "wide"));
        Assert.Matches($@"(?m)^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$[\s\S]*^{ns.Name}\s+web\s+1/1\s+Running", await _kubectl.OkAsync("get", "pods", "-A"));
        Assert.Matches(@"(?m)^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+LABELS\nweb\s+.*app=web$", await _kubectl.OkAsync("-n", ns.Name, "get", "pods", "--show-labels"));

        Assert.Matches(@"Events:\s*\n\s+Type\s+Reason\s+Age\s+From\s+Message\n[\s\S]*Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned .*/web to node-\d",
            await _kubectl.OkAsync("-n", ns.Name, "describe", "pod", "web"));

        await Eventually.Until(async () => (await _kubectl.OkAsync("-n", ns.Name, "logs", "web", "-c", "c")) == "one\ntwo\nthree\n", Timeout, "the pod logged its lines");
        Assert.Equal("three\n", await _kubectl.OkAsync("-n", ns.Name, "logs", "web", "-c", "c", "--tail=1"));
        using (var follow = _kubectl.StartWithTimeout(30, "-n", ns.Name, "logs", "-f", "web"))
        {
            await Eventually.Until(() => follow.StandardOutput == "one\ntwo\nthree\n", Timeout, "logs -f shows the lines while it follows");
        }

        var exec = await _kubectl.RunAsync(["-n", ns.Name, "exec", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3"]);
        Assert.Equal((3, "out\n", "err\ncommand terminated with exit code 3\n"), (exec.ExitCode, exec.StandardOutput, exec.StandardError));
        exec = await _kubectl.RunAsync(["-n", ns.Name, "exec", "-i", "web", "--", "cat"], stdin: "hi\n");
        Assert.Equal((0, "hi\n"), (exec.ExitCode, exec.StandardOutput));

        using (var watch = _kubectl.StartWithTimeout(20, "-n", ns.Name, "get", "pods", "-w"))
        {
            await Eventually.Until(() => watch.StandardOutput.Contains("web ", StringComparison.Ordinal), Timeout, "get -w lists the pods there are");
            await _kubectl.OkAsync("-n", ns.Name, "run", "short", "--image", "busybox", "--command", "--", "sleep", "3600");
            await Eventually.Until(() => ShortRow().IsMatch(watch.StandardOutput), Timeout, "get -w shows the new pod");
            Assert.Equal(124, await watch.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.StartsWith("NAME ", watch.StandardOutput, StringComparison.Ordinal);
        }

        // kubectl waits for the object to be gone (get, then a watch until DELETED) before it returns.
        Assert.Equal("pod \"web\" deleted\n", await _kubectl.OkAsync("-n", ns.Name, "delete", "pod", "web"));
        Assert.DoesNotContain((await cluster.Client.For<Pod>().ListAsync(new() { Namespace = ns.Name })).Items, p => p.Metadata.Name == "web");
    }

    /// <summary>The three rollouts run side by side: each mostly waits for pods, and the suite's time is short.</summary>
    [Fact]
    public Task Rollouts_DeploymentDaemonSetAndStatefulSet_WorkAsAgainstKubernetes() =>
        Task.WhenAll(DeploymentApplyLabelScaleAndRolloutAsync(), DaemonSetRolloutStatusHistoryAndUndoAsync(), StatefulSetRolloutStatusHistoryAndUndoAsync());

    private async Task DeploymentApplyLabelScaleAndRolloutAsync()
    {
        await using var ns = await TestNamespace.CreateAsync(cluster, "e2e-kc-deploy");
        var file = Path.Combine(_files, "web.yaml");

        await File.WriteAllTextAsync(file, Deployment("web", 1, "nginx:1.14.2", ("A", "1"), ("B", "1")));
        Assert.Equal("deployment.apps/web created\n", await _kubectl.OkAsync("-n", ns.Name, "apply", "-f", file));
        // Revision 1 exists once the controller has seen the first template; an edit before that would replace it.
        var first = await Eventually.Returns(() => ReplicaSetOfRevisionAsync(ns, "1"), Timeout);
        await File.WriteAllTextAsync(file, Deployment("web", 1, "nginx:1.14.2", ("B", "2")));
        Assert.Equal("deployment.apps/web configured\n", await _kubectl.OkAsync("-n", ns.Name, "apply", "-f", file));
        Assert.Equal("deployment.apps/web unchanged\n", await _kubectl.OkAsync("-n", ns.Name, "apply", "-f", file));
        Assert.Equal("""[{"name":"B","value":"2"}]""", await JsonPathAsync("-n", ns.Name, "get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].env}"));

        Assert.Equal("deployment.apps/web labeled\n", await _kubectl.OkAsync("-n", ns.Name, "label", "deploy", "web", "tier=frontend"));
        Assert.Matches(@"^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s", await _kubectl.OkAsync("-n", ns.Name, "get", "deploy", "-l", "tier=frontend"));
        Assert.Equal("No resources found in " + ns.Name + " namespace.\n", (await _kubectl.RunAsync(["-n", ns.Name, "get", "deploy", "-l", "tier=backend"])).StandardError);
        Assert.Equal("deployment.apps/web scaled\n", await _kubectl.OkAsync("-n", ns.Name, "scale", "deploy", "web", "--replicas=2"));
        Assert.Equal("2", await JsonPathAsync("-n", ns.Name, "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"));

        // Revision 1 is the first apply (env A and B), 2 the edit (env B=2), 3 the new image.
        await _kubectl.OkAsync("-n", ns.Name, "set", "image", "deploy/web", "nginx=nginx:1.27");
        Assert.Contains("successfully rolled out", await _kubectl.OkAsync("-n", ns.Name, "rollout", "status", "deploy/web", "--timeout=120s"));
        Assert.Matches(@"REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n3\s+<none>\n\n$", await _kubectl.OkAsync("-n", ns.Name, "rollout", "history", "deploy/web"));
        Assert.Equal(first, await ReplicaSetOfRevisionAsync(ns, "1"));

        Assert.Equal("deployment.apps/web rolled back\n", await _kubectl.OkAsync("-n", ns.Name, "rollout", "undo", "deploy/web", "--to-revision=1"));
        Assert.Contains("successfully rolled out", await _kubectl.OkAsync("-n", ns.Name, "rollout", "status", "deploy/web", "--timeout=120s"));
        // The first revision's ReplicaSet is scaled back up and renumbered 4, as Kubernetes does: no new ReplicaSet.
        Assert.Matches(@"REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n4\s+<none>\n\n$", await _kubectl.OkAsync("-n", ns.Name, "rollout", "history", "deploy/web"));
        Assert.Equal(first, await ReplicaSetOfRevisionAsync(ns, "4"));
        Assert.Equal("""[{"name":"A","value":"1"},{"name":"B","value":"1"}]""", await JsonPathAsync("-n", ns.Name, "get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].env}"));
        // A Deployment's history is its ReplicaSets; ControllerRevisions belong to DaemonSets and StatefulSets.
        Assert.Equal($"No resources found in {ns.Name} namespace.\n", (await _kubectl.RunAsync(["-n", ns.Name, "get", "controllerrevisions"])).StandardError);
    }

    /// <summary>The name of the deployment's ReplicaSet with that deployment.kubernetes.io/revision.</summary>
    private async Task<string> ReplicaSetOfRevisionAsync(TestNamespace ns, string revision)
    {
        var lines = await _kubectl.OkAsync("-n", ns.Name, "get", "rs", "-o", "jsonpath={range .items[*]}{.metadata.name} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}{\"\\n\"}{end}");
        return lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).Single(f => f[1] == revision)[0];
    }

    /// <summary>A DaemonSet keeps its history in ControllerRevisions; rollout undo patches the template back from one.</summary>
    private async Task DaemonSetRolloutStatusHistoryAndUndoAsync()
    {
        await using var ns = await TestNamespace.CreateAsync(cluster, "e2e-kc-ds");

        Assert.Equal("daemonset.apps/nginx-daemonset created\n", await _kubectl.OkAsync("-n", ns.Name, "apply", "-f", Kmctl.Manifest("seed/24-daemonset.yaml")));
        Assert.Contains("successfully rolled out", await _kubectl.OkAsync("-n", ns.Name, "rollout", "status", "ds/nginx-daemonset", "--timeout=120s"));
        await _kubectl.OkAsync("-n", ns.Name, "set", "image", "ds/nginx-daemonset", "nginx=nginx:1.27");
        Assert.Contains("successfully rolled out", await _kubectl.OkAsync("-n", ns.Name, "rollout", "status", "ds/nginx-daemonset", "--timeout=120s"));
        Assert.Matches(@"REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n", await _kubectl.OkAsync("-n", ns.Name, "rollout", "history", "ds/nginx-daemonset"));

        Assert.Equal("daemonset.apps/nginx-daemonset rolled back\n", await _kubectl.OkAsync("-n", ns.Name, "rollout", "undo", "ds/nginx-daemonset"));
        Assert.Contains("successfully rolled out", await _kubectl.OkAsync("-n", ns.Name, "rollout", "status", "ds/nginx-daemonset", "--timeout=120s"));
        Assert.Matches(@"REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n", await _kubectl.OkAsync("-n", ns.Name, "rollout", "history", "ds/nginx-daemonset"));
        // Undo renumbers the first template's ControllerRevision as 3 rather than making a new one, as Kubernetes does.
        Assert.Equal(["2", "3"], await RevisionNumbersAsync(ns));
        Assert.Matches(@"(?m)^nginx-daemonset-\w+\s+daemonset\.apps/nginx-daemonset\s+3\s", await _kubectl.OkAsync("-n", ns.Name, "get", "controllerrevisions"));
        Assert.All((await ns.LivePodsAsync()).Select(p => p.Spec.Containers[0].Image), image => Assert.Equal("nginx:latest", image));
    }

    /// <summary>A StatefulSet keeps its history in ControllerRevisions named as its pods' controller-revision-hash.</summary>
    private async Task StatefulSetRolloutStatusHistoryAndUndoAsync()
    {
        await using var ns = await TestNamespace.CreateAsync(cluster, "e2e-kc-sts");
        var file = await FileAsync("sts.yaml", """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: db
            spec:
              serviceName: db
              replicas: 1
              selector:
                matchLabels: {app: db}
              template:
                metadata:
                  labels: {app: db}
                spec:
                  containers:
                  - name: db
                    image: busybox
                    command: ["sleep", "3600"]
            """);

        Assert.Equal("statefulset.apps/db created\n", await _kubectl.OkAsync("-n", ns.Name, "apply", "-f", file));
        Assert.Contains("partitioned roll out complete", await _kubectl.OkAsync("-n", ns.Name, "rollout", "status", "sts/db", "--timeout=120s"));
        await _kubectl.OkAsync("-n", ns.Name, "set", "env", "sts/db", "MODE=replica");
        Assert.Contains("partitioned roll out complete", await _kubectl.OkAsync("-n", ns.Name, "rollout", "status", "sts/db", "--timeout=120s"));
        Assert.Matches(@"REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n", await _kubectl.OkAsync("-n", ns.Name, "rollout", "history", "sts/db"));

        Assert.Equal("statefulset.apps/db rolled back\n", await _kubectl.OkAsync("-n", ns.Name, "rollout", "undo", "sts/db", "--to-revision=1"));
        Assert.Contains("partitioned roll out complete", await _kubectl.OkAsync("-n", ns.Name, "rollout", "status", "sts/db", "--timeout=120s"));
        Assert.Equal(["2", "3"], await RevisionNumbersAsync(ns));
        var current = await JsonPathAsync("-n", ns.Name, "get", "sts", "db", "-o", "jsonpath={.status.currentRevision}");
        Assert.Equal(current, await JsonPathAsync("-n", ns.Name, "get", "pod", "db-0", "-o", "jsonpath={.metadata.labels.controller-revision-hash}"));
        Assert.Equal("", await JsonPathAsync("-n", ns.Name, "get", "pod", "db-0", "-o", "jsonpath={.spec.containers[0].env}"));
    }

    /// <summary>The revision numbers of the namespace's ControllerRevisions, in order.</summary>
    private async Task<string[]> RevisionNumbersAsync(TestNamespace ns) =>
        [.. (await JsonPathAsync("-n", ns.Name, "get", "controllerrevisions", "-o", "jsonpath={.items[*].revision}")).Split(' ').Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Generators_CreateRunExposeAndEvents_WorkAsAgainstKubernetes()
    {
        await using var ns = await TestNamespace.CreateAsync(cluster, "e2e-kc-gen");

        // Typed clients: these send Kubernetes protobuf bodies.
        Assert.Equal("configmap/settings created\n", await _kubectl.OkAsync("-n", ns.Name, "create", "configmap", "settings", "--from-literal=a=b", "--from-literal=c=d"));
        Assert.Equal("secret/pw created\n", await _kubectl.OkAsync("-n", ns.Name, "create", "secret", "generic", "pw", "--from-literal=password=s3cret"));
        Assert.Equal("deployment.apps/hello created\n", await _kubectl.OkAsync("-n", ns.Name, "create", "deployment", "hello", "--image=nginx:1.14.2", "--replicas=1"));
        Assert.Equal("czNjcmV0", await JsonPathAsync("-n", ns.Name, "get", "secret", "pw", "-o", "jsonpath={.data.password}"));
        Assert.Matches(@"(?m)^settings\s+2\s", await _kubectl.OkAsync("-n", ns.Name, "get", "configmap"));

        Assert.Equal("pod/runner created\n", await _kubectl.OkAsync("-n", ns.Name, "run", "runner", "--image=nginx:1.14.2", "--port=80"));
        Assert.Equal("service/hello exposed\n", await _kubectl.OkAsync("-n", ns.Name, "expose", "deployment", "hello", "--port=8080", "--target-port=80"));
        Assert.Matches(@"(?m)^hello\s+ClusterIP\s+127\.\d+\.\d+\.\d+\s+<none>\s+8080/TCP\s", await _kubectl.OkAsync("-n", ns.Name, "get", "svc"));
        Assert.Equal("app=hello", await JsonPathAsync("-n", ns.Name, "get", "svc", "hello", "-o", "jsonpath={.spec.selector}").ContinueWith(t => Regex.Replace(t.Result, "[{}\"]", "").Replace(':', '=')));

        var events = await Eventually.Returns(async () =>
        {
            var listed = await _kubectl.OkAsync("-n", ns.Name, "get", "events", "--field-selector", "involvedObject.name=runner");
            return listed.Contains("Scheduled", StringComparison.Ordinal) ? listed : throw new InvalidOperationException("not scheduled yet: " + listed);
        }, Timeout);
        Assert.Matches(@"^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n", events);
        Assert.Matches(@"(?m)Normal\s+Scheduled\s+pod/runner\s+Successfully assigned", events);
        Assert.Matches(@"(?m)^pod/runner\s", await _kubectl.OkAsync("-n", ns.Name, "get", "all", "-o", "name"));
    }

    /// <summary>`kubectl get ... -o jsonpath=...`, which ends with no newline of its own; the kit reads output by lines.</summary>
    private async Task<string> JsonPathAsync(params string[] args) => (await _kubectl.OkAsync(args)).TrimEnd('\n');

    private async Task<string> FileAsync(string name, string text)
    {
        var path = Path.Combine(_files, name);
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    private static string Deployment(string name, int replicas, string image, params (string Name, string Value)[] env) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
        spec:
          replicas: {replicas}
          selector:
            matchLabels: {"{"}app: {name}{"}"}
          template:
            metadata:
              labels: {"{"}app: {name}{"}"}
            spec:
              containers:
              - name: nginx
                image: {image}
        {(env.Length == 0 ? "" : "        env:\n" + string.Concat(env.Select(e => $"        - {{name: {e.Name}, value: \"{e.Value}\"}}\n")))}
        """;

    [GeneratedRegex(@"(?m)^short\s+\d/1\s")]
    private static partial Regex ShortRow();
}
