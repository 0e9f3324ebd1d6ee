using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KubeMesh.Kubelet.Nodes;

/// <summary>
/// Registers the Node (create, or reconcile labels and podCIDR of an existing one), then posts its status
/// through UpdateStatus: at once when anything besides heartbeats changed, else every NodeStatusReportFrequency,
/// as the kubelet's node status manager does beside the more frequent lease. A report that only renews heartbeats is
/// a heartbeat span ("update node status node-2", kept at the background ratio); one that changes something and the
/// registration start traces of their own.
/// </summary>
public sealed class NodeStatusReporter(
    KubeMeshClient client, NodeObjectBuilder builder, NodeRegistration registration, IOptions<KubeletOptions> options,
    EventRecorder events, TimeProvider time, ILogger<NodeStatusReporter> logger) : BackgroundService
{
    private readonly ResourceClient<Node> _nodes = client.For<Node>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var (node, before) = await RegisterWithRetryAsync(stoppingToken);
        registration.Complete(node);
        events.Event(node, EventTypes.Normal, "Starting", "Starting kubelet.");
        RecordConditionChanges(node, before);
        var lastPosted = node.Status;
        var check = TimeSpan.FromTicks(Math.Min(options.Value.NodeStatusReportFrequency.Ticks, options.Value.NodeLeaseRenewInterval.Ticks));
        var lastPostedAt = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(check, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            var now = time.GetUtcNow();
            var next = builder.Status(lastPosted, now);
            if (!NodeObjectBuilder.ChangedBesidesHeartbeat(lastPosted, next) && now - lastPostedAt < options.Value.NodeStatusReportFrequency)
            {
                continue;
            }

            var heartbeat = !NodeObjectBuilder.ChangedBesidesHeartbeat(lastPosted, next);
            using var activity = heartbeat
                ? WorkTracing.StartRoot(KubeletTracing.Source, "update node status " + builder.NodeName, WorkTracing.Heartbeat)
                : KubeletTracing.Source.StartActivity("update node status " + builder.NodeName, System.Diagnostics.ActivityKind.Internal, parentContext: default);
            try
            {
                var posted = await PostStatusAsync(stoppingToken);
                RecordConditionChanges(posted, lastPosted);
                lastPosted = posted.Status;
                lastPostedAt = now;
            }
            catch (RpcException e)
            {
                KubeletLog.NodeStatusFailed(logger, e, builder.NodeName, e.Status.Detail);
            }
        }
    }

    /// <summary>
    /// The kubelet's node status events: each condition whose status is new since <paramref name="before"/> (all of
    /// them at first registration) is announced as Kubernetes' setters do, "Node node-1 status is now: NodeReady".
    /// </summary>
    private void RecordConditionChanges(Node node, NodeStatus? before)
    {
        foreach (var condition in node.Status?.Conditions ?? [])
        {
            if (before?.Conditions.FirstOrDefault(c => c.Type == condition.Type)?.Status == condition.Status
                || ConditionEvent(condition) is not { } reason)
            {
                continue;
            }

            events.Event(node, EventTypes.Normal, reason, $"Node {node.Metadata.Name} status is now: {reason}");
        }
    }

    /// <summary>The reason kubelet's status setters record for a node condition's status.</summary>
    public static string? ConditionEvent(Condition condition) => (condition.Type, condition.Status == "True") switch
    {
        ("Ready", true) => "NodeReady",
        ("Ready", false) => "NodeNotReady",
        ("MemoryPressure", false) => "NodeHasSufficientMemory",
        ("MemoryPressure", true) => "NodeHasInsufficientMemory",
        ("DiskPressure", false) => "NodeHasNoDiskPressure",
        ("DiskPressure", true) => "NodeHasDiskPressure",
        ("PIDPressure", false) => "NodeHasSufficientPID",
        ("PIDPressure", true) => "NodeHasInsufficientPID",
        _ => null,
    };

    private async Task<(Node Node, NodeStatus? Before)> RegisterWithRetryAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            using var activity = KubeletTracing.Source.StartActivity("register node " + builder.NodeName);
            try
            {
                return await RegisterAsync(cancellationToken);
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                KubeletLog.RegistrationFailed(logger, e, builder.NodeName, e.Status.Detail);
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(7).Ticks));
            }
        }
    }

    /// <summary>Creates the Node, or takes over the existing one; returns it with the status it had before, if any.</summary>
    private async Task<(Node Node, NodeStatus? Before)> RegisterAsync(CancellationToken cancellationToken)
    {
        try
        {
            var created = await _nodes.CreateAsync(builder.Initial(time.GetUtcNow()), cancellationToken);
            KubeletLog.NodeRegistered(logger, builder.NodeName, builder.Address, options.Value.Port);
            return (created, null);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            NodeStatus? before = null;
            await RetryOnConflict.RunAsync(async ct =>
            {
                var existing = await _nodes.GetAsync("", builder.NodeName, ct);
                before = existing.Status;
                var updated = existing.Clone();
                builder.ApplyLabelsAndSpec(updated);
                if (!updated.Equals(existing))
                {
                    await _nodes.UpdateAsync(updated, ct);
                }
            }, cancellationToken);
            var node = await PostStatusAsync(cancellationToken);
            KubeletLog.NodeReRegistered(logger, builder.NodeName, builder.Address, options.Value.Port);
            return (node, before);
        }
    }

    private Task<Node> PostStatusAsync(CancellationToken cancellationToken) =>
        RetryOnConflict.RunAsync(async ct =>
        {
            var node = await _nodes.GetAsync("", builder.NodeName, ct);
            node.Status = builder.Status(node.Status, time.GetUtcNow());
            return await _nodes.UpdateStatusAsync(node, ct);
        }, cancellationToken);
}
