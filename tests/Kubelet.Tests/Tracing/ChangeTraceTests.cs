using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using KubeMesh.Api;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Serialization;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Extensions;
using KubeMesh.Kubelet.Tests.NodeAgent;
using KubeMesh.Scheduler.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace KubeMesh.Kubelet.Tests.Tracing;

/// <summary>
/// One change followed through the control loop: the api-server, the controller-manager, the scheduler and a kubelet
/// run in this process, their spans collected through the OpenTelemetry SDK as an exporter would get them, and one
/// Deployment apply must come out as one trace from the write through the controllers' syncs, the scheduler's bind
/// and the kubelet's container start, and on to the endpoints of the Service in front of it; on the way each component
/// publishes its metrics under Kubernetes' names.
/// </summary>
public sealed class ChangeTraceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly ActivitySource Source = new("KubeMesh.Tests.ChangeTrace");

    private const string ServiceManifest = """
        apiVersion: v1
        kind: Service
        metadata:
          name: nginx
        spec:
          selector:
            app: nginx
          ports:
          - port: 80
            targetPort: 80
        """;

    [SkippableFact]
    public async Task OneApplyIsOneTraceFromTheWriteToTheContainerStart()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource("KubeMesh.*", "Microsoft.AspNetCore")
            .AddGrpcClientSpans()
            .SetSampler(new BackgroundWorkSampler(backgroundRatio: 0))
            .AddProcessor(new Collector(spans))
            .Build();
        var measured = new ConcurrentDictionary<string, bool>();
        using var metrics = new MeterListener();
        metrics.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("KubeMesh.", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        metrics.SetMeasurementEventCallback<long>((instrument, _, _, _) => measured[instrument.Name] = true);
        metrics.SetMeasurementEventCallback<int>((instrument, _, _, _) => measured[instrument.Name] = true);
        metrics.SetMeasurementEventCallback<double>((instrument, _, _, _) => measured[instrument.Name] = true);
        metrics.Start();

        var api = new ApiServerFixture();
        var kubelet = InProcessKubelet.Create();
        var hosts = new List<IHost>();
        try
        {
            await api.InitializeAsync();
            await kubelet.StartAsync(api.Address);
            hosts.Add(await StartAsync(api.Address, b => b.AddScheduler()));
            hosts.Add(await StartAsync(api.Address, b => b.AddControllerManager()));
            var client = api.Client;
            var ns = "t-" + Guid.NewGuid().ToString("N")[..10];
            await client.For<Namespace>().CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = ns } });
            await Eventually.Until(
                async () => (await client.For<Node>().GetAsync("", kubelet.NodeName)).Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True"),
                Timeout, $"node {kubelet.NodeName} to be Ready");

            // The Service a user would put in front of the Deployment: its endpoints follow the pods the apply makes.
            var service = Assert.IsType<Service>(Assert.Single(ManifestDecoder.Decode(ServiceManifest)).Object);
            service.Metadata.Namespace = ns;
            await client.For<Service>().CreateAsync(service);

            var deployment = Assert.IsType<Deployment>(Assert.Single(ManifestDecoder.Decode(TestManifests.Read("seed", "21-deployment.yaml"))).Object);
            deployment.Metadata.Namespace = ns;
            deployment.Spec.Replicas = 2;
            ActivityTraceId traceId;
            ActivitySpanId applySpanId;
            using (var apply = Source.StartActivity("apply deployment/" + deployment.Metadata.Name, ActivityKind.Client))
            {
                Assert.NotNull(apply);
                traceId = apply.TraceId;
                applySpanId = apply.SpanId;
                await client.For<Deployment>().CreateAsync(deployment);
            }

            var pods = client.For<Pod>();
            // A machine busy starting every other test's processes may take a while; the message says where each pod got to.
            await Eventually.Until(
                async () => new PodsState((await pods.ListAsync(new ListRequest { Namespace = ns })).Items),
                state => state.Started == 2, StartTimeout, "both pods of the deployment to have started their containers");

            var started = (await pods.ListAsync(new ListRequest { Namespace = ns })).Items.Select(p => p.Metadata.Name).ToList();

            // Spans end (and are exported) when their work is done: wait for every step, then check they are one trace.
            Activity[] InTrace() => spans.Where(s => s.TraceId == traceId || s.Links.Any(l => l.Context.TraceId == traceId)).ToArray();
            bool Has(string source, string name) => InTrace().Any(s => s.Source.Name == source && s.DisplayName == name);
            var expected = new List<(string Source, string Name)>
            {
                ("KubeMesh.ApiServer", $"create deployments {ns}/{deployment.Metadata.Name}"),
                ("KubeMesh.ControllerManager", $"sync deployment {ns}/{deployment.Metadata.Name}"),
                ("KubeMesh.ApiServer", $"create replicasets {ns}/"),
                ("KubeMesh.ControllerManager", $"sync replicaset {ns}/"),
                ("KubeMesh.ControllerManager", $"sync endpoints {ns}/nginx"),
                ("KubeMesh.ApiServer", $"* endpoints {ns}/nginx"),
            };
            foreach (var pod in started)
            {
                expected.Add(("KubeMesh.ApiServer", $"create pods {ns}/{pod}"));
                expected.Add(("KubeMesh.Scheduler", $"schedule {ns}/{pod}"));
                expected.Add(("KubeMesh.Scheduler", $"bind {ns}/{pod} {kubelet.NodeName}"));
                expected.Add(("KubeMesh.ApiServer", $"create pods/binding {ns}/{pod}"));
                expected.Add(("KubeMesh.Kubelet", $"sync pod {ns}/{pod}"));
                expected.Add(("KubeMesh.Kubelet", $"create pod sandbox {ns}/{pod}"));
                expected.Add(("KubeMesh.Kubelet", $"start container {ns}/{pod}/nginx"));
            }

            // "ns/" ends a generated name; "* " stands for the verb (the endpoints are created or updated).
            bool Found((string Source, string Name) step) =>
                step.Name.EndsWith('/') ? InTrace().Any(s => s.Source.Name == step.Source && s.DisplayName.StartsWith(step.Name, StringComparison.Ordinal))
                : step.Name.StartsWith("* ", StringComparison.Ordinal) ? InTrace().Any(s => s.Source.Name == step.Source && s.DisplayName.EndsWith(step.Name[1..], StringComparison.Ordinal))
                : Has(step.Source, step.Name);
            try
            {
                await Eventually.Until(() => Task.FromResult(expected.All(Found)), Timeout, "every step of the apply in its trace");
            }
            catch (TimeoutException)
            {
                var missing = string.Join(", ", expected.Where(s => !Found(s)).Select(s => $"{s.Source}: {s.Name}"));
                var seen = string.Join(", ", InTrace().Select(s => $"{s.Source.Name}: {s.DisplayName}").Distinct());
                throw new TimeoutException($"missing from trace {traceId}: {missing}; in it: {seen}");
            }

            // The kubelet's start hangs under its sync, the sync under the binding's write: a tree, not a flat list.
            var trace = InTrace();
            var bySpan = trace.ToDictionary(s => s.SpanId);
            var start = trace.First(s => s.DisplayName == $"start container {ns}/{started[0]}/nginx");
            var ancestors = new List<string>();
            for (var span = start; bySpan.TryGetValue(span.ParentSpanId, out var parent); span = parent)
            {
                ancestors.Add(parent.DisplayName);
            }

            Assert.Contains($"sync pod {ns}/{started[0]}", ancestors);
            Assert.Contains($"create pods/binding {ns}/{started[0]}", ancestors);
            Assert.Contains($"schedule {ns}/{started[0]}", ancestors);
            Assert.Contains($"sync deployment {ns}/{deployment.Metadata.Name}", ancestors);
            Assert.Equal("apply deployment/" + deployment.Metadata.Name, ancestors[^1]);

            // Each gRPC call is one client span named for what it does (not grpc-dotnet's "Grpc.Net.Client.GrpcOut"
            // with an HTTP "POST" under it), and the api-server's span for the call is its child.
            Assert.DoesNotContain(trace, s => s.DisplayName == "Grpc.Net.Client.GrpcOut" || (s.Kind == ActivityKind.Client && s.DisplayName == "POST"));
            Assert.Contains("create pods/binding", ancestors);
            var call = Assert.Single(trace, s => s.ParentSpanId == applySpanId && s.Kind == ActivityKind.Client);
            Assert.Equal(("Grpc.Net.Client", "create deployments"), (call.Source.Name, call.DisplayName));
            Assert.Equal("grpc", call.GetTagItem("rpc.system"));
            Assert.Equal("kubemesh.apps.v1.DeploymentService", call.GetTagItem("rpc.service"));
            Assert.Equal("Create", call.GetTagItem("rpc.method"));
            Assert.Equal(0, call.GetTagItem("rpc.grpc.status_code"));
            var server = Assert.Single(trace, s => s.ParentSpanId == call.SpanId);
            Assert.Equal(ActivityKind.Server, server.Kind);
            var write = trace.Single(s => s.DisplayName == $"create deployments {ns}/{deployment.Metadata.Name}");
            for (var span = write; span.SpanId != server.SpanId; span = bySpan[span.ParentSpanId])
            {
                Assert.True(bySpan.ContainsKey(span.ParentSpanId), $"the write's span {write.DisplayName} hangs under the server span {server.DisplayName}");
            }

            // The steps a user follows are Events with the reasons Kubernetes gives them.
            await Eventually.Until(
                async () =>
                {
                    var reasons = (await client.For<Event>().ListAsync(new ListRequest { Namespace = ns })).Items.Select(e => e.Reason).ToHashSet();
                    return new[] { "ScalingReplicaSet", "SuccessfulCreate", "Scheduled", "Pulled", "Created", "Started" }.All(reasons.Contains);
                },
                Timeout, "the Events of the rollout");

            // Background work (the kubelet renews its lease every second here) kept out of the way at a ratio of 0,
            // down to the api-server's writes for it.
            var lease = await client.For<Lease>().GetAsync("kube-node-lease", kubelet.NodeName);
            Assert.NotNull(lease.Spec.RenewTime);
            Assert.DoesNotContain(spans, s => s.DisplayName.StartsWith("renew lease", StringComparison.Ordinal));
            Assert.DoesNotContain(spans, s => s.DisplayName.StartsWith("update leases kube-node-lease/", StringComparison.Ordinal));

            // And every component published what it did under the names Kubernetes gives those metrics.
            metrics.RecordObservableInstruments();
            string[] names =
            [
                "apiserver_request_total", "apiserver_request_duration_seconds", "etcd_request_duration_seconds",
                "workqueue_adds_total", "workqueue_queue_duration_seconds", "workqueue_work_duration_seconds",
                "scheduler_schedule_attempts_total", "scheduler_scheduling_attempt_duration_seconds", "scheduler_pending_pods",
                "kubelet_pod_start_duration_seconds", "kubelet_running_pods", "kubelet_running_containers",
            ];
            Assert.Equal([], names.Where(n => !measured.ContainsKey(n)).ToArray());
        }
        finally
        {
            foreach (var host in Enumerable.Reverse(hosts))
            {
                await StopAsync(host);
            }

            await kubelet.DisposeAsync();
            await api.DisposeAsync();
            Directory.Delete(kubelet.StateDirectory, recursive: true);
        }
    }

    private sealed record PodsState(IReadOnlyList<Pod> Pods)
    {
        public int Started => Pods.Count(p => p.Status.ContainerStatuses.Any(c => c.Started));

        public override string ToString() => Pods.Count == 0 ? "no pods" : string.Join("; ", Pods.Select(p =>
            $"{p.Metadata.Name} on '{p.Spec.NodeName}' {p.Status.Phase}"
            + $" [{string.Join(", ", p.Status.Conditions.Select(c => $"{c.Type}={c.Status} {c.Reason} {c.Message}".TrimEnd()))}]"
            + $" [{string.Join(", ", p.Status.ContainerStatuses.Select(c => $"{c.Name} {c.State}"))}]"));
    }

    /// <summary>A component as its Program.cs wires it, in this process, against the test's api-server.</summary>
    private static async Task<IHost> StartAsync(string apiServer, Action<HostApplicationBuilder> add)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [KubeMeshClient.AddressConfigurationKey] = apiServer,
            ["Scheduler:PodInitialBackoff"] = "00:00:00.2",
            ["Scheduler:PodMaxBackoff"] = "00:00:01",
        });
        builder.Logging.ClearProviders();
        builder.Services.AddKubeMeshClient(builder.Configuration);
        add(builder);
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(Timeout);
        await host.StartAsync(timeout.Token);
        return host;
    }

    /// <summary>Keeps every span that ends, as an exporter would receive it, readable while more arrive.</summary>
    private sealed class Collector(ConcurrentQueue<Activity> spans) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => spans.Enqueue(data);
    }

    private static async Task StopAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await host.StopAsync(timeout.Token);
        host.Dispose();
    }
}
