using Grpc.Core;
using KubeMesh.Api.Core.V1;
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
    TimeProvider time, ILogger<NodeStatusReporter> logger) : BackgroundService
{
    private readonly ResourceClient<Node> _nodes = client.For<Node>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var node = await RegisterWithRetryAsync(stoppingToken);
        registration.Complete(node);
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
                lastPosted = (await PostStatusAsync(stoppingToken)).Status;
                lastPostedAt = now;
            }
            catch (RpcException e)
            {
                KubeletLog.NodeStatusFailed(logger, e, builder.NodeName, e.Status.Detail);
            }
        }
    }

    private async Task<Node> RegisterWithRetryAsync(CancellationToken cancellationToken)
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

    private async Task<Node> RegisterAsync(CancellationToken cancellationToken)
    {
        try
        {
            var created = await _nodes.CreateAsync(builder.Initial(time.GetUtcNow()), cancellationToken);
            KubeletLog.NodeRegistered(logger, builder.NodeName, builder.Address, options.Value.Port);
            return created;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            await RetryOnConflict.RunAsync(async ct =>
            {
                var existing = await _nodes.GetAsync("", builder.NodeName, ct);
                var updated = existing.Clone();
                builder.ApplyLabelsAndSpec(updated);
                if (!updated.Equals(existing))
                {
                    await _nodes.UpdateAsync(updated, ct);
                }
            }, cancellationToken);
            var node = await PostStatusAsync(cancellationToken);
            KubeletLog.NodeReRegistered(logger, builder.NodeName, builder.Address, options.Value.Port);
            return node;
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
