using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.PodGC;

/// <summary>
/// kube-controller-manager's pod garbage collector: force-deletes the pods no kubelet will ever finish, which a
/// graceful deletion would otherwise leave Terminating for good. Every gcCheckPeriod (20 s) it removes
/// <list type="bullet">
/// <item>orphaned pods, bound to a node that no longer exists: confirmed with the api-server after a quarantine of
/// 40 s, so that a node being re-created is not mistaken for a deleted one;</item>
/// <item>terminating pods that were never bound, which no kubelet owns;</item>
/// <item>terminating pods on a node tainted node.kubernetes.io/out-of-service (its operator says it is down for good).</item>
/// </list>
/// Each orphan gets the DisruptionTarget condition first, with reason DeletionByPodGC, as Kubernetes sets it.
/// </summary>
public sealed class PodGCController : Controller<string>
{
    public const string OutOfServiceTaint = "node.kubernetes.io/out-of-service";
    private const string Key = "gc";

    private readonly PodGCOptions _options;
    private readonly Lister<Pod> _pods;
    private readonly Lister<Node> _nodes;
    private readonly ResourceClient<Pod> _podClient;
    private readonly ResourceClient<Node> _nodeClient;
    private readonly Dictionary<string, DateTimeOffset> _missingSince = new(StringComparer.Ordinal);

    public PodGCController(ControllerContext context)
        : base(context, "PodGC", defaultWorkers: 1)
    {
        _options = context.Configuration.GetSection(PodGCOptions.Section).Get<PodGCOptions>() ?? new PodGCOptions();
        _podClient = context.Client.For<Pod>();
        _nodeClient = context.Client.For<Node>();
        _pods = InformerFor<Pod>().Lister;
        var nodes = InformerFor<Node>();
        _nodes = nodes.Lister;
        AddEventHandler(nodes, onDelete: _ => Queue.Add(Key));
    }

    protected override async Task RunAsync(CancellationToken cancellationToken)
    {
        Queue.Add(Key);
        using var timer = new PeriodicTimer(_options.CheckPeriod, Context.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Queue.Add(Key);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    protected internal override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var now = Now;
        var nodes = _nodes.List().ToDictionary(n => n.Metadata.Name, StringComparer.Ordinal);
        foreach (var pod in _pods.List())
        {
            var nodeName = pod.Spec?.NodeName ?? "";
            if (nodeName.Length == 0)
            {
                if (pod.Metadata.DeletionTimestamp is not null)
                {
                    await ForceDeleteAsync(pod, null, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            if (nodes.TryGetValue(nodeName, out var node))
            {
                _missingSince.Remove(nodeName);
                if (pod.Metadata.DeletionTimestamp is not null && (node.Spec?.Taints.Any(t => t is { Key: OutOfServiceTaint, Effect: "NoExecute" }) ?? false))
                {
                    await ForceDeleteAsync(pod, null, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            if (await NodeGoneAsync(nodeName, now, cancellationToken).ConfigureAwait(false))
            {
                await ForceDeleteAsync(pod, "PodGC: node no longer exists", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether the node has been missing from the cache for the quarantine and the api-server confirms it is gone.</summary>
    private async Task<bool> NodeGoneAsync(string nodeName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!_missingSince.TryGetValue(nodeName, out var since))
        {
            _missingSince[nodeName] = now;
            Queue.AddAfter(Key, _options.Quarantine);
            return false;
        }

        if (now - since < _options.Quarantine)
        {
            return false;
        }

        try
        {
            await _nodeClient.GetAsync("", nodeName, cancellationToken).ConfigureAwait(false);
            _missingSince.Remove(nodeName);
            return false;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return true;
        }
    }

    private async Task ForceDeleteAsync(Pod pod, string? disruption, CancellationToken cancellationToken)
    {
        try
        {
            if (disruption is not null && pod.Status?.Phase is not ("Succeeded" or "Failed"))
            {
                var updated = pod.Clone();
                updated.Status ??= new PodStatus();
                updated.Status.Conditions.Add(new Condition
                {
                    Type = "DisruptionTarget",
                    Status = "True",
                    Reason = "DeletionByPodGC",
                    Message = disruption,
                    LastTransitionTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(Now),
                });
                updated.Status.Phase = "Failed";
                await _podClient.UpdateStatusAsync(updated, cancellationToken).ConfigureAwait(false);
            }

            ControllerLog.Info(Logger, Name, $"force-deleting pod {pod.Metadata.Namespace}/{pod.Metadata.Name} on node \"{pod.Spec?.NodeName}\"");
            await _podClient.DeleteAsync(new DeleteRequest
            {
                Namespace = pod.Metadata.Namespace,
                Name = pod.Metadata.Name,
                GracePeriodSeconds = 0,
                Preconditions = new Preconditions { Uid = pod.Metadata.Uid },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.Aborted or StatusCode.FailedPrecondition)
        {
            // Gone already, or changed under us: the next period looks again.
        }
    }
}

/// <summary>PodGC settings (kube-controller-manager's gcCheckPeriod and the orphan quarantine).</summary>
public sealed class PodGCOptions
{
    public const string Section = "PodGC";

    public TimeSpan CheckPeriod { get; set; } = TimeSpan.FromSeconds(20);

    public TimeSpan Quarantine { get; set; } = TimeSpan.FromSeconds(40);
}
