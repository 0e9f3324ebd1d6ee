using KubeMesh.Api.Core.V1;
using KubeMesh.EndToEnd.Otlp;

namespace KubeMesh.EndToEnd;

/// <summary>
/// What the dashboard receives from the cluster, read from the OTLP receiver every component of the fixture exports
/// to: one `kmctl apply --trace` of manifests 21 and 16 is one trace through every component that acts on it, and
/// the metrics carry the names Kubernetes gives them.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TracingEndToEndTests(ClusterFixture cluster)
{
    /// <summary>What the issue and the README promise the dashboard shows, by the name Kubernetes exports it under.</summary>
    private static readonly string[] KubernetesMetrics =
    [
        "apiserver_request_total", "apiserver_request_duration_seconds", "apiserver_registered_watchers", "apiserver_watch_events_total",
        "apiserver_current_inflight_requests", "etcd_request_duration_seconds",
        "workqueue_depth", "workqueue_adds_total", "workqueue_retries_total", "workqueue_queue_duration_seconds", "workqueue_work_duration_seconds",
        "scheduler_schedule_attempts_total", "scheduler_scheduling_attempt_duration_seconds", "scheduler_pending_pods",
        "kubelet_pod_start_duration_seconds", "kubelet_running_pods", "kubelet_running_containers",
    ];

    [Fact]
    public async Task ApplyOfDeploymentAndService_IsOneTraceThroughEveryComponent_AndMetricsCarryKubernetesNames()
    {
        await using var ns = await TestNamespace.CreateAsync(cluster, "trace");
        var traceId = await ns.ApplyTracedAsync("seed/21-deployment.yaml", "seed/16-service.yaml");
        Assert.Matches("^[0-9a-f]{32}$", traceId);

        // The work the trace must reach is done once the endpoints list the ready pod.
        await Eventually.Until(
            async () =>
            {
                try
                {
                    return (await cluster.Client.For<Endpoints>().GetAsync(ns.Name, "ex-svc")).Subsets.Any(s => s.Addresses.Count > 0);
                }
                catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
                {
                    return false; // the endpoints controller has not written them yet
                }
            },
            ClusterFixture.WaitTimeout,
            "ex-svc's endpoints list the ready ex-nginx");

        var pod = ns.Name + "/ex-nginx";
        var deployment = ns.Name + "/nginx-deployment";
        (string Component, Func<ReceivedSpan, bool> Span)[] expected =
        [
            ("kmctl: kmctl apply, the root", s => s.Service == "kmctl" && s.Name == "kmctl apply" && s.ParentSpanId.Length == 0),
            ("api-server: create deployments " + deployment, s => IsFrom(s, "api-server-") && s.Name == "create deployments " + deployment),
            ("api-server: create services " + ns.Name + "/ex-svc", s => IsFrom(s, "api-server-") && s.Name == $"create services {ns.Name}/ex-svc"),
            ("controller-manager: sync deployment " + deployment, s => IsFrom(s, "controller-manager-") && s.Name == "sync deployment " + deployment),
            ("controller-manager: sync replicaset", s => IsFrom(s, "controller-manager-") && s.Name.StartsWith($"sync replicaset {deployment}-", StringComparison.Ordinal)),
            ("api-server: create pods of the ReplicaSet", s => IsFrom(s, "api-server-") && s.Name.StartsWith($"create pods {deployment}-", StringComparison.Ordinal)),
            ("scheduler: schedule a pod of the ReplicaSet", s => IsFrom(s, "scheduler-") && s.Name.StartsWith($"schedule {deployment}-", StringComparison.Ordinal)),
            ("scheduler: schedule " + pod, s => IsFrom(s, "scheduler-") && s.Name == "schedule " + pod),
            ("scheduler: bind", s => IsFrom(s, "scheduler-") && s.Name.StartsWith($"bind {pod} ", StringComparison.Ordinal)),
            ("kubelet: sync pod " + pod, s => IsFrom(s, "kubelet-node") && s.Name == "sync pod " + pod),
            ("kubelet: start container " + pod + "/nginx", s => IsFrom(s, "kubelet-node") && s.Name == $"start container {pod}/nginx"),
            ("controller-manager: sync endpoints " + ns.Name + "/ex-svc", s => IsFrom(s, "controller-manager-") && s.Name == $"sync endpoints {ns.Name}/ex-svc"),
            ("proxy: sync proxy", s => IsFrom(s, "proxy") && s.Name == "sync proxy"),
        ];

        // Exported in batches every half second; the proxy's rebuild may serve the change as a link (it coalesces).
        var missing = expected.Select(e => e.Component).ToList();
        try
        {
            await Eventually.Until(
                () =>
                {
                    var spans = cluster.Telemetry.Trace(traceId).Concat(cluster.Telemetry.LinkedTo(traceId)).ToList();
                    missing = [.. expected.Where(e => !spans.Any(e.Span)).Select(e => e.Component)];
                    return Task.FromResult(missing.Count == 0);
                },
                ClusterFixture.WaitTimeout,
                "the trace reaches every component");
        }
        catch (TimeoutException)
        {
            var spans = cluster.Telemetry.Trace(traceId);
            Assert.Fail($"trace {traceId} lacks [{string.Join("; ", missing)}]; it has {spans.Count} spans: "
                + string.Join("; ", spans.Select(s => $"{s.Service}: {s.Name}").Distinct().Order(StringComparer.Ordinal)));
        }

        // One tree under kmctl's span: every other span has its parent in the trace, once the parents, which end
        // after their children, are exported too: the api-server's spans for the components' calls hang under the
        // calls' client spans, not under an HTTP request's span that is not exported.
        var strays = new List<ReceivedSpan>();
        try
        {
            await Eventually.Until(
                () =>
                {
                    var tree = cluster.Telemetry.Trace(traceId);
                    var ids = tree.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
                    strays = [.. tree.Where(s => !ids.Contains(s.ParentSpanId) && !(s.Service == "kmctl" && s.ParentSpanId.Length == 0))];
                    return Task.FromResult(strays.Count == 0);
                },
                TimeSpan.FromSeconds(30),
                "every span of the trace hangs in its tree");
        }
        catch (TimeoutException)
        {
            Assert.Fail("spans whose parent never arrived: " + string.Join("; ", strays.Select(s => $"{s.Service}: {s.Name} (parent {s.ParentSpanId})")));
        }

        // Each gRPC call is one client span named for what it does: not grpc-dotnet's "Grpc.Net.Client.GrpcOut" with
        // an HTTP "POST" under it. The scheduler's binds are such spans, each with the api-server's span as its child.
        var trace = cluster.Telemetry.Trace(traceId);
        Assert.DoesNotContain(trace, s => s.Name == "Grpc.Net.Client.GrpcOut" || (s.Name == "POST" && s.Scope != "Microsoft.AspNetCore"));
        var binds = trace.Where(s => IsFrom(s, "scheduler-") && s.Scope == "Grpc.Net.Client" && s.Name == "create pods/binding").ToList();
        Assert.NotEmpty(binds);
        Assert.All(binds, bind => Assert.Contains(trace, s => IsFrom(s, "api-server-") && s.ParentSpanId == bind.SpanId));

        // Pods have started, so every metric has had a measurement; exports come every second.
        var unexported = KubernetesMetrics.ToList();
        try
        {
            await Eventually.Until(
                () =>
                {
                    unexported = [.. KubernetesMetrics.Where(m => cluster.Telemetry.MetricServices(m).Count == 0)];
                    return Task.FromResult(unexported.Count == 0);
                },
                TimeSpan.FromSeconds(30),
                "every metric is exported");
        }
        catch (TimeoutException)
        {
            Assert.Fail("not exported: " + string.Join(", ", unexported));
        }
    }

    private static bool IsFrom(ReceivedSpan span, string servicePrefix) => span.Service.StartsWith(servicePrefix, StringComparison.Ordinal);
}
