using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Client;

/// <summary>
/// Hands an informer's notifications to one handler (client-go's processorListener). The informer only appends to
/// this handler's unbounded buffer; the handler runs on its own loop, in order, so a slow handler delays only
/// itself and never the informer or the other handlers. A handler that throws is logged with the object's key and
/// given the next notification. While a handler runs, the change's trace context is <see cref="ChangeContext.Current"/>,
/// so the keys it queues carry it.
/// </summary>
internal sealed class ProcessorListener<T> : IResourceEventHandlerRegistration
    where T : class
{
    private static readonly TimeSpan SlowHandler = TimeSpan.FromSeconds(1);

    private readonly Channel<Notification<T>> _pending = Channel.CreateUnbounded<Notification<T>>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });

    private readonly IResourceEventHandler<T> _handler;
    private readonly Func<T, string> _keyOf;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _running;

    public ProcessorListener(IResourceEventHandler<T> handler, string name, TimeSpan resyncPeriod, DateTimeOffset now, Func<T, string> keyOf, ILogger logger)
    {
        _handler = handler;
        Name = name;
        ResyncPeriod = resyncPeriod;
        NextResync = now + resyncPeriod;
        _keyOf = keyOf;
        _logger = logger;
    }

    public string Name { get; }

    public TimeSpan ResyncPeriod { get; }

    /// <summary>When this handler is next given every object again; kept by the informer under its lock.</summary>
    public DateTimeOffset NextResync { get; set; }

    public bool HasSynced => _synced.Task.IsCompleted;

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Completes once the handler has been given every notification queued before this call.</summary>
    public Task PassedAsync(CancellationToken cancellationToken)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Add(Notification<T>.BarrierMarker(reached));
        return reached.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Queues a notification; never blocks.</summary>
    public void Add(Notification<T> notification) => _pending.Writer.TryWrite(notification);

    /// <summary>Starts delivering, once; the loop ends when the token is cancelled.</summary>
    public void Start(CancellationToken cancellationToken) =>
        _running ??= Task.Run(() => RunAsync(cancellationToken), CancellationToken.None);

    public Task Stopped => _running ?? Task.CompletedTask;

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _pending.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (!cancellationToken.IsCancellationRequested && _pending.Reader.TryRead(out var notification))
                {
                    Deliver(notification);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Deliver(Notification<T> notification)
    {
        if (notification.Type == NotificationType.Synced)
        {
            _synced.TrySetResult();
            return;
        }

        if (notification.Type == NotificationType.Barrier)
        {
            notification.Reached!.TrySetResult();
            return;
        }

        var started = Stopwatch.GetTimestamp();
        using var change = ChangeContext.Enter(notification.Trace);
        try
        {
            switch (notification.Type)
            {
                case NotificationType.Add:
                    _handler.OnAdd(notification.New!);
                    break;
                case NotificationType.Update:
                    _handler.OnUpdate(notification.Old!, notification.New!);
                    break;
                case NotificationType.Delete:
                    _handler.OnDelete(notification.Old!);
                    break;
            }
        }
        catch (Exception e)
        {
            InformerLog.HandlerFailed(_logger, e, Name, notification.Type.ToString(), KeyOf(notification));
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        if (elapsed >= SlowHandler)
        {
            InformerLog.HandlerSlow(_logger, Name, notification.Type.ToString(), KeyOf(notification), elapsed);
        }
    }

    private string KeyOf(Notification<T> notification)
    {
        try
        {
            return notification.Object is { } obj ? _keyOf(obj) : "";
        }
        catch (Exception)
        {
            return "<unknown>";
        }
    }
}
