using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.Kubelet.Runtime;
using KubeMesh.Kubelet.Volumes;

namespace KubeMesh.Kubelet.Pods;

/// <summary>
/// Runs one pod on this node, one sync at a time (the kubelet's pod worker): sets up its sandbox (pod IP,
/// directory, volumes), starts init containers one by one and then the main containers, restarts them per
/// restartPolicy with back-off, posts the pod's status when it changes, and on deletion stops the containers,
/// frees the sandbox and removes the pod object. Each sync is a span, "sync pod default/web-0", in the trace of the
/// change that woke it (the pod's binding, its deletion, a mounted object's change, a probe's verdict).
/// </summary>
public sealed partial class PodWorker
{
    private readonly PodWorkerContext _context;
    private readonly AsyncSignal _signal = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<ContainerSlot> _initSlots;
    private readonly List<ContainerSlot> _slots;
    private readonly Lock _changesLock = new();
    private readonly long _firstSeen = Stopwatch.GetTimestamp();
    private TraceContextSet? _changes;
    private bool _startReported;
    private Pod _pod;
    private volatile bool _removed;
    private PodSandbox? _sandbox;
    private string _podIp = "";
    private Timestamp? _startTime;
    private PodStatus? _lastPosted;
    private bool _terminal;
    private Task _loop = Task.CompletedTask;

    public PodWorker(Pod pod, PodWorkerContext context)
    {
        _pod = pod;
        _context = context;
        _initSlots = pod.Spec.InitContainers.Select(c => new ContainerSlot(c, isInit: true)).ToList();
        _slots = pod.Spec.Containers.Select(c => new ContainerSlot(c, isInit: false)).ToList();
        AdoptReportedStatus(pod);
        AddChange(ChangeContext.Current);
    }

    public string Uid => _pod.Metadata.Uid;

    public Pod Pod => Volatile.Read(ref _pod);

    /// <summary>Ends when the pod has been torn down (deleted) or the worker was shut down.</summary>
    public Task Completion => _loop;

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>A newer version of the pod from the informer.</summary>
    public void Update(Pod pod)
    {
        Volatile.Write(ref _pod, pod);
        Wake(ChangeContext.Current);
    }

    /// <summary>A ConfigMap or Secret the pod mounts changed: sync so the files follow.</summary>
    public void SourceChanged() => Wake(ChangeContext.Current);

    /// <summary>The pod is gone from the api-server: stop its containers and free its sandbox.</summary>
    public void Remove()
    {
        _removed = true;
        Wake(ChangeContext.Current);
    }

    /// <summary>Whether the pod has a sandbox and has not finished: what kubelet_running_pods counts.</summary>
    public bool IsRunning => _sandbox is not null && !_terminal && !_removed;

    /// <summary>Each container's state as kubelet_running_containers labels it: created, running or exited.</summary>
    public IEnumerable<string> ContainerStates() =>
        _initSlots.Concat(_slots).Where(s => s.HasRun).Select(s => s.IsRunning ? "running" : "exited");

    /// <summary>Asks for a sync serving the change of <paramref name="change"/> (default: none traced).</summary>
    private void Wake(ActivityContext change)
    {
        AddChange(change);
        _signal.Set();
    }

    private void AddChange(ActivityContext change)
    {
        lock (_changesLock)
        {
            TraceContextSet.Merge(ref _changes, change);
        }
    }

    private TraceContextSet? TakeChanges()
    {
        lock (_changesLock)
        {
            var changes = _changes;
            _changes = null;
            return changes;
        }
    }

    /// <summary>The container's slot for logs (null when the pod has no such container).</summary>
    public ContainerSlot? FindContainer(string name) =>
        _slots.Concat(_initSlots).FirstOrDefault(s => s.Name == name);

    /// <summary>
    /// The kubelet is stopping: stop the containers without reporting it (as the runtime's pdeathsig would when
    /// the process ends), so the next kubelet finds the pods as last reported and starts them again.
    /// </summary>
    public async Task ShutdownAsync(TimeSpan grace)
    {
        await _stopping.CancelAsync();
        await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
        await StopContainersAsync(Pod, grace, recordEvents: false);

        // Memory-backed volumes (secrets) do not outlive the kubelet; the next one writes them again.
        VolumeManager.TearDown(_context.PodDirectory(Uid));
    }

    private async Task RunAsync()
    {
        var cancellationToken = _stopping.Token;
        while (!cancellationToken.IsCancellationRequested)
        {
            var pod = Pod;
            TimeSpan? wake;
            var changes = TakeChanges();
            using (var activity = WorkTracing.StartWork(KubeletTracing.Source, $"sync pod {pod.Metadata.Namespace}/{pod.Metadata.Name}", changes))
            {
                try
                {
                    if (_removed || pod.Metadata.DeletionTimestamp is not null)
                    {
                        await TerminateAsync(pod, cancellationToken);
                        return;
                    }

                    wake = await SyncAsync(pod, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    WorkTracing.Fail(activity, e);
                    KubeletLog.SyncFailed(_context.Logger, e, pod.Metadata.Namespace, pod.Metadata.Name);

                    // The retry still serves what this sync was for.
                    lock (_changesLock)
                    {
                        TraceContextSet.Merge(ref _changes, changes);
                    }

                    wake = TimeSpan.FromSeconds(1);
                }
            }

            try
            {
                await _signal.WaitAsync(wake, _context.Time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<TimeSpan?> SyncAsync(Pod pod, CancellationToken cancellationToken)
    {
        TimeSpan? wake = null;
        if (!_terminal)
        {
            _startTime ??= KubeTime.Stamp(_context.Time.GetUtcNow());
            if (await EnsureSandboxAsync(pod, cancellationToken))
            {
                ObserveExits();
                wake = await StartContainersAsync(pod, cancellationToken);
            }
            else
            {
                wake = TimeSpan.FromSeconds(2);
            }
        }

        var status = PodStatusBuilder.Build(pod, _initSlots, _slots, _podIp, _context.HostIp, _startTime, _context.Time.GetUtcNow());
        if (!_startReported && status.Phase == "Running")
        {
            _startReported = true;
            _context.Metrics.PodStarted(Stopwatch.GetElapsedTime(_firstSeen));
        }

        if (!_terminal && PodPhases.IsTerminal(status.Phase))
        {
            // A finished pod keeps its reported IP, as in Kubernetes, but the address goes back to the pool.
            _terminal = true;
            _context.PodIps.Release(Uid);
        }

        await PostStatusAsync(status, cancellationToken);

        // Projected service-account tokens are rewritten at 80% of their life, whether or not anything else happens.
        if (!_terminal && _context.Volumes.TokenRefreshDue(pod) is { } due)
        {
            var until = due - _context.Time.GetUtcNow();
            until = until < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : until;
            wake = wake is null || until < wake ? until : wake;
        }

        return wake;
    }

    private async Task<bool> EnsureSandboxAsync(Pod pod, CancellationToken cancellationToken)
    {
        if (_sandbox is not null)
        {
            // Every sync (a pod change, a container exit, a changed ConfigMap or Secret) brings projected files up to date.
            await _context.Volumes.RefreshAsync(pod, _sandbox, cancellationToken);
            return true;
        }

        using var activity = KubeletTracing.Source.StartActivity($"create pod sandbox {pod.Metadata.Namespace}/{pod.Metadata.Name}");
        try
        {
            var ip = _context.PodIps.Allocate(Uid);
            var directory = _context.PodDirectory(Uid);
            Directory.CreateDirectory(directory);
            var hostname = string.IsNullOrEmpty(pod.Spec.Hostname) ? pod.Metadata.Name : pod.Spec.Hostname;
            var sandbox = new PodSandbox(Uid, pod.Metadata.Namespace, pod.Metadata.Name, ip, directory) { Hostname = hostname };
            _sandbox = sandbox with { Volumes = await _context.Volumes.SetUpAsync(pod, sandbox, cancellationToken) };
            _podIp = ip.ToString();
            activity?.SetTag("k8s.pod.ip", _podIp);
            return true;
        }
        catch (Exception e) when (e is VolumeException or IOException or UnauthorizedAccessException or InvalidOperationException or RpcException)
        {
            WorkTracing.Fail(activity, e);
            _context.Events.Event(pod, EventTypes.Warning, e is VolumeException ? VolumeException.Reason : "FailedCreatePodSandBox", e.Message);
            return false;
        }
    }

    private async Task PostStatusAsync(PodStatus status, CancellationToken cancellationToken)
    {
        if (status.Equals(_lastPosted))
        {
            return;
        }

        try
        {
            var first = true;
            await RetryOnConflict.RunAsync(async ct =>
            {
                var current = first ? Pod : await _context.Pods.GetAsync(Pod.Metadata.Namespace, Pod.Metadata.Name, ct);
                first = false;
                if (current.Metadata.Uid != Uid)
                {
                    return;
                }

                var updated = current.Clone();
                updated.Status = status;
                await _context.Pods.UpdateStatusAsync(updated, ct);
            }, cancellationToken);
            _lastPosted = status;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            _lastPosted = status;
        }
    }

    private async Task TerminateAsync(Pod pod, CancellationToken cancellationToken)
    {
        var seconds = pod.Metadata.HasDeletionGracePeriodSeconds
            ? pod.Metadata.DeletionGracePeriodSeconds
            : pod.Spec.HasTerminationGracePeriodSeconds ? pod.Spec.TerminationGracePeriodSeconds : 30;
        await StopContainersAsync(pod, TimeSpan.FromSeconds(Math.Max(seconds, 0)), recordEvents: true);
        _context.PodIps.Release(Uid);
        VolumeManager.TearDown(_context.PodDirectory(Uid));
        DeleteDirectory(_context.PodDirectory(Uid));
        DeleteDirectory(Path.Combine(_context.Logs.Root, Uid));
        KubeletLog.PodTornDown(_context.Logger, pod.Metadata.Namespace, pod.Metadata.Name);
        if (_removed)
        {
            return;
        }

        try
        {
            await _context.Pods.DeleteAsync(new DeleteRequest
            {
                Namespace = pod.Metadata.Namespace,
                Name = pod.Metadata.Name,
                GracePeriodSeconds = 0,
                Preconditions = new Preconditions { Uid = Uid },
            }, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.Aborted)
        {
        }
    }

    private async Task StopContainersAsync(Pod pod, TimeSpan grace, bool recordEvents)
    {
        // Main containers first, together; init containers only run when no main container does.
        foreach (var group in new[] { _slots, _initSlots })
        {
            await Task.WhenAll(group.Where(s => s.IsRunning).Select(async slot =>
            {
                using var activity = recordEvents ? KubeletTracing.Source.StartActivity($"stop container {pod.Metadata.Namespace}/{pod.Metadata.Name}/{slot.Name}") : null;
                if (recordEvents)
                {
                    _context.Events.Event(pod, EventTypes.Normal, "Killing", $"Stopping container {slot.Name}");
                }

                var status = await _context.Runtime.StopContainerAsync(slot.Handle!, grace);
                slot.MarkExited(status);
                _context.Runtime.RemoveContainer(slot.Handle!);
            }));
        }
    }

    private static void DeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
