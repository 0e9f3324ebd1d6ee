using System.Net.Sockets;
using KubeMesh.Api.Core.V1;

namespace KubeMesh.EndToEnd;

/// <summary>
/// Manifests 16-19 and the DNS names of 25 on the cluster the AppHost starts: cluster IPs, node ports and
/// load-balancer addresses reached through the proxy, names answered by the cluster DNS, checked with dig
/// from the host and with nslookup/wget from inside a busybox pod.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ServicesEndToEndTests(ClusterFixture cluster)
{
    private const string Namespace = "services-e2e";
    private const string LoadBalancerNamespace = "services-lb-e2e";
    private const int NodePort = 30080;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(30);
    private static readonly SemaphoreSlim NamespacesLock = new(1, 1);
    private static readonly HashSet<string> NamespacesCreated = [];

    [SkippableFact]
    public async Task ClusterIpService_Applied_ReachesThePodAndResolves()
    {
        Tool.Require("dig");
        var service = await ApplyExampleServiceAsync(Namespace);

        var endpoints = await EventuallyAsync(async () =>
        {
            var found = await cluster.Client.For<Endpoints>().GetAsync(Namespace, "ex-svc");
            return found.Subsets.Any(s => s.Addresses.Count > 0) ? found : throw new InvalidOperationException("no ready address: " + found);
        });
        var pod = await cluster.Client.For<Pod>().GetAsync(Namespace, "ex-nginx");
        Assert.Equal(pod.Status.PodIp, endpoints.Subsets.Single().Addresses.Single().Ip);
        Assert.Equal(80, endpoints.Subsets.Single().Ports.Single().Port);

        var page = await EventuallyAsync(() => GetAsync($"http://{service.Spec.ClusterIp}:8080/"));
        Assert.Contains("Welcome to nginx!", page);

        var answer = await EventuallyAsync(() => DigAsync($"ex-svc.{Namespace}.svc.cluster.local", "A", service.Spec.ClusterIp));
        Assert.Equal(service.Spec.ClusterIp, answer);
    }

    [SkippableFact]
    public async Task BusyboxPod_ShortServiceName_ResolvesThroughSearchPathAndFetchesThePage()
    {
        // busybox runs its commands with the node's own tools.
        Tool.RequireAll("nslookup", "wget");
        var service = await ApplyExampleServiceAsync(Namespace);
        await EventuallyAsync(() => GetAsync($"http://{service.Spec.ClusterIp}:8080/"));

        // The pod's own resolv.conf (nameserver: the cluster DNS, search <ns>.svc.cluster.local ...) turns "ex-svc"
        // into the service's name; the retries cover the DNS following the service a moment after the proxy.
        await ApplyTextAsync(Namespace, $"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: dns-client
            spec:
              restartPolicy: Never
              containers:
              - name: client
                image: busybox:1.36
                command: ["sh", "-c"]
                args:
                - |
                  cat /etc/resolv.conf
                  for i in 1 2 3 4 5; do nslookup ex-svc && break; sleep 1; done
                  wget -qO- http://ex-svc.{Namespace}.svc.cluster.local:8080/
            """);

        var pod = await EventuallyAsync(async () =>
        {
            var found = await cluster.Client.For<Pod>().GetAsync(Namespace, "dns-client");
            return found.Status?.Phase is "Succeeded" or "Failed" ? found : throw new InvalidOperationException("still " + found.Status?.Phase);
        });
        var (_, logs, error) = await Kmctl.RunAsync(cluster.Kubeconfig, "logs", "dns-client", "-n", Namespace);
        Assert.True(pod.Status.Phase == "Succeeded", $"busybox pod {pod.Status.Phase}; logs:\n{logs}{error}");
        Assert.Contains($"nameserver {cluster.DnsAddress}", logs);
        Assert.Contains($"search {Namespace}.svc.cluster.local svc.cluster.local cluster.local", logs);
        Assert.Contains($"ex-svc.{Namespace}.svc.cluster.local", logs);
        Assert.Contains(service.Spec.ClusterIp, logs);
        Assert.Contains("Welcome to nginx!", logs);
    }

    [SkippableFact]
    public async Task NodePortService_Applied_ServesThePodsOnEveryNodeAddress()
    {
        await ApplyExampleServiceAsync(Namespace);
        await ApplyAsync("seed/17-service-nodeport.yaml", Namespace);

        var service = await cluster.Client.For<Service>().GetAsync(Namespace, "ex-svc-nodeport");
        Assert.Equal(NodePort, service.Spec.Ports.Single().NodePort);
        foreach (var node in Enumerable.Range(1, 3))
        {
            var address = cluster.NodeAddress(node);
            var page = await EventuallyAsync(() => GetAsync($"http://{address}:{NodePort}/"), () => NodePortHolder(address));
            Assert.Contains("Welcome to nginx!", page);
        }
    }

    [SkippableFact]
    public async Task LoadBalancerService_Applied_GetsAnExternalAddressThatSpreadsOverThePods()
    {
        // A namespace of its own: the two extra pods join ex-svc's selector too.
        const string ns = LoadBalancerNamespace;
        await ApplyExampleServiceAsync(ns);
        // Two more pods behind the same selector, each answering its own name, so spreading can be seen.
        foreach (var name in new[] { "ex-echo-a", "ex-echo-b" })
        {
            await ApplyTextAsync(ns, $"""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: {name}
                  labels:
                    run: ex-nginx
                spec:
                  containers:
                  - name: echo
                    image: hashicorp/http-echo
                    args: ["-listen=:80", "-text={name}"]
                    ports:
                    - containerPort: 80
                """);
        }

        await ApplyAsync("seed/18-service-loadbalancer.yaml", ns);

        var service = await EventuallyAsync(async () =>
        {
            var found = await cluster.Client.For<Service>().GetAsync(ns, "ex-svc-lb");
            return found.Status?.LoadBalancer?.Ingress.Count > 0 ? found : throw new InvalidOperationException("no external address: " + found.Status);
        });
        var external = service.Status.LoadBalancer.Ingress.Single().Ip;
        Assert.StartsWith($"127.{cluster.LoadBalancerOctet}.", external);
        var (code, table, error) = await Kmctl.RunAsync(cluster.Kubeconfig, "get", "svc", "ex-svc-lb", "-n", ns);
        Assert.True(code == 0, error);
        Assert.Matches($@"ex-svc-lb\s+LoadBalancer\s+{service.Spec.ClusterIp}\s+{external}\s+80:\d+/TCP", table);

        await EventuallyAsync(async () =>
        {
            var endpoints = await cluster.Client.For<Endpoints>().GetAsync(ns, "ex-svc-lb");
            var ready = endpoints.Subsets.Sum(s => s.Addresses.Count);
            return ready == 3 ? ready : throw new InvalidOperationException($"{ready} ready endpoints");
        });
        var answeredBy = await EventuallyAsync(async () =>
        {
            var seen = new HashSet<string>();
            for (var i = 0; i < 30; i++)
            {
                var body = await GetAsync($"http://{external}:80/");
                seen.Add(body.Contains("Welcome to nginx!", StringComparison.Ordinal) ? "ex-nginx" : body.Trim());
            }

            return seen.Count == 3 ? seen : throw new InvalidOperationException("answered only by " + string.Join(", ", seen));
        });
        Assert.Equal(["ex-echo-a", "ex-echo-b", "ex-nginx"], answeredBy.Order());
    }

    [SkippableFact]
    public async Task ExternalNameService_Applied_AnswersACname()
    {
        Tool.Require("dig");
        // The manifest names its namespace (default), so it is applied as written.
        await ApplyAsync("seed/19-service-externalname.yaml", null);

        var (_, output) = await EventuallyAsync(async () =>
        {
            var result = await ChildProcess.RunAsync(ChildTimeout, Tool.Require("dig"), $"@{cluster.DnsAddress}", "+time=2", "+tries=1", "+noall", "+answer",
                "my-external-service.default.svc.cluster.local", "A");
            return result.Output.Contains("CNAME", StringComparison.Ordinal) ? result : throw new InvalidOperationException(result.Output);
        });
        Assert.Matches(@"^my-external-service\.default\.svc\.cluster\.local\.\s+\d+\s+IN\s+CNAME\s+external\.example\.com\.", output.Trim());
        var cname = await DigAsync("my-external-service.default.svc.cluster.local", "CNAME", "external.example.com.");
        Assert.Equal("external.example.com.", cname);
    }

    [SkippableFact]
    public async Task StatefulSetPod_Created_ResolvesByItsOwnNameUnderTheHeadlessService()
    {
        Tool.Require("dig");
        // Its own namespace: the StatefulSet workload test applies manifest 25 too; this one checks DNS only.
        const string ns = "sts-dns-e2e";
        await CreateNamespaceAsync(ns);
        await ApplyAsync("seed/25-statefulset.yaml", ns);

        var pod = await EventuallyAsync(async () =>
        {
            var found = await cluster.Client.For<Pod>().GetAsync(ns, "nginx-statefulset-0");
            return found.Status?.PodIp is { Length: > 0 } && found.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True")
                ? found
                : throw new InvalidOperationException("not ready: " + found.Status);
        });
        var answer = await EventuallyAsync(() => DigAsync($"nginx-statefulset-0.nginx.{ns}.svc.cluster.local", "A", pod.Status.PodIp));
        Assert.Equal(pod.Status.PodIp, answer);
    }

    private async Task<Service> ApplyExampleServiceAsync(string ns)
    {
        await ApplyAsync("seed/16-service.yaml", ns);
        var service = await cluster.Client.For<Service>().GetAsync(ns, "ex-svc");
        Assert.StartsWith($"127.{cluster.ServiceOctet}.", service.Spec.ClusterIp);
        return service;
    }

    private async Task ApplyAsync(string manifest, string? ns)
    {
        if (ns is not null)
        {
            await CreateNamespaceAsync(ns);
        }

        string[] args = ns is null ? ["apply", "-f", Kmctl.Manifest(manifest)] : ["apply", "-f", Kmctl.Manifest(manifest), "-n", ns];
        var (code, _, error) = await Kmctl.RunAsync(cluster.Kubeconfig, args);
        Assert.True(code == 0, error);
    }

    private async Task ApplyTextAsync(string ns, string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), $"kubemesh-e2e-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            var (code, _, error) = await Kmctl.RunAsync(cluster.Kubeconfig, "apply", "-f", file, "-n", ns);
            Assert.True(code == 0, error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task CreateNamespaceAsync(string ns)
    {
        await NamespacesLock.WaitAsync();
        try
        {
            if (NamespacesCreated.Contains(ns))
            {
                return;
            }

            var (code, _, error) = await Kmctl.RunAsync(cluster.Kubeconfig, "create", "namespace", ns);
            Assert.True(code == 0, error);
            NamespacesCreated.Add(ns);
        }
        finally
        {
            NamespacesLock.Release();
        }
    }

    /// <summary>`dig +short` against the cluster DNS; throws until the answer is the expected one.</summary>
    private async Task<string> DigAsync(string name, string type, string expected)
    {
        var (_, output) = await ChildProcess.RunAsync(ChildTimeout, Tool.Require("dig"), $"@{cluster.DnsAddress}", "+short", "+time=2", "+tries=1", name, type);
        var answer = output.Trim();
        return answer == expected ? answer : throw new InvalidOperationException($"dig {name} {type}: '{answer}', expected '{expected}'");
    }

    private static async Task<string> GetAsync(string url)
    {
        // A connection per request: the proxy balances connections, not requests.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.ConnectionClose = true;
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Why nothing answers on a node port: free (the proxy has not opened it) or held by another process.</summary>
    private static string NodePortHolder(string address)
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Parse(address), NodePort));
            return $"nothing listens on {address}:{NodePort}: the proxy has not opened the node port";
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            var holders = ChildProcess.RunAsync(ChildTimeout, "ss", "-Hltnp", $"sport = :{NodePort}").GetAwaiter().GetResult().Output;
            return $"port {NodePort} (fixed by manifest 17) is held by another process, e.g. a second cluster on this machine " +
                $"(only one can serve it):\n{holders}";
        }
    }

    private static Task<T> EventuallyAsync<T>(Func<Task<T>> attempt, Func<string>? explain = null) => Eventually.Returns(attempt, Timeout, explain);
}
