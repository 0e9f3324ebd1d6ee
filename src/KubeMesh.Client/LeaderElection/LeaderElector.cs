using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeMesh.Client.LeaderElection;

/// <summary>
/// client-go's tools/leaderelection: candidates race to record themselves as the lock's holder; the holder renews
/// every retry period; the others take over once they have seen the record unchanged for a lease duration, judged by
/// their own clock when they saw it (never by the timestamps in the record, so clock skew between hosts cannot hand
/// the lease over early). A leader that has not renewed within the renew deadline, counted from the start of its last
/// successful write, stops leading; the deadline is shorter than the lease, so it has stopped before anyone else can
/// take the lock, and two leaders never act at once. <see cref="IsLeader"/> checks the deadline on every read, so even
/// a leader whose process was stopped (SIGSTOP) and resumed is no longer leader the moment it runs again.
/// </summary>
public sealed class LeaderElector
{
    private readonly LeaderElectionConfig _config;
    private readonly ILeaseLock _lock;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LeaderElectionRecord? _observedRecord;
    private long _observedTime;
    private long? _lastRenewStart;
    private bool _leading;
    private string? _reportedLeader;

    public LeaderElector(LeaderElectionConfig config, ILeaseLock leaseLock, TimeProvider? time = null, ILogger? logger = null)
    {
        config.Validate();
        _config = config;
        _lock = leaseLock;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    public string Identity => _lock.Identity;

    /// <summary>The holder last observed, this candidate included; empty while nobody holds the lock.</summary>
    public string Leader
    {
        get
        {
            lock (_gate)
            {
                return _observedRecord?.HolderIdentity ?? "";
            }
        }
    }

    /// <summary>The record last observed (read or written by this candidate).</summary>
    public LeaderElectionRecord? ObservedRecord
    {
        get
        {
            lock (_gate)
            {
                return _observedRecord;
            }
        }
    }

    /// <summary>
    /// True only while this candidate leads and its last successful renewal started less than the renew deadline ago:
    /// what must be checked before acting.
    /// </summary>
    public bool IsLeader
    {
        get
        {
            lock (_gate)
            {
                return _leading && IsHolderLocked() && _lastRenewStart is { } renewed && _time.GetElapsedTime(renewed) < _config.RenewDeadline;
            }
        }
    }

    /// <summary>Completes once this candidate has become leader for the first time.</summary>
    public Task WaitForLeadershipAsync(CancellationToken cancellationToken) => _started.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Acquires the lock, calls OnStartedLeading, renews until leadership is lost or the token is cancelled, then calls
    /// OnStoppedLeading. An elector runs once: after it returns, a process leaves the election (kube components exit).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!await AcquireAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            lock (_gate)
            {
                _leading = true;
            }

            _started.TrySetResult();
            var work = _config.OnStartedLeading is { } onStarted ? Task.Run(() => onStarted(leading.Token), CancellationToken.None) : Task.CompletedTask;
            await RenewAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _leading = false;
            }

            await leading.CancelAsync().ConfigureAwait(false);
            if (_config.ReleaseOnCancel && cancellationToken.IsCancellationRequested)
            {
                await ReleaseAsync().ConfigureAwait(false);
            }

            await work.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _leading = false;
            }

            _config.OnStoppedLeading?.Invoke();
        }
    }

    private async Task<bool> AcquireAsync(CancellationToken cancellationToken)
    {
        LeaderElectorLog.Acquiring(_logger, _lock.Describe, Identity);
        while (!cancellationToken.IsCancellationRequested)
        {
            var acquired = await TryWithDeadlineAsync(_config.RenewDeadline, cancellationToken).ConfigureAwait(false);
            ReportTransition();
            if (acquired)
            {
                LeaderElectorLog.Acquired(_logger, _lock.Describe, Identity);
                return true;
            }

            var jittered = _config.RetryPeriod * (1 + (LeaderElectionConfig.JitterFactor * Random.Shared.NextDouble()));
            if (!await DelayAsync(jittered, cancellationToken).ConfigureAwait(false))
            {
                break;
            }
        }

        return false;
    }

    /// <summary>Renews every retry period until a renewal cannot be made within the renew deadline, or the token is cancelled.</summary>
    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        while (await DelayAsync(_config.RetryPeriod, cancellationToken).ConfigureAwait(false))
        {
            while (true)
            {
                var remaining = _config.RenewDeadline - SinceLastRenew();
                if (remaining <= TimeSpan.Zero)
                {
                    LeaderElectorLog.RenewDeadlinePassed(_logger, _lock.Describe, _config.RenewDeadline);
                    return;
                }

                var renewed = await TryWithDeadlineAsync(remaining, cancellationToken).ConfigureAwait(false);
                ReportTransition();
                if (renewed)
                {
                    break;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                if (!IsHolder())
                {
                    LeaderElectorLog.LostToAnother(_logger, _lock.Describe, Leader);
                    return;
                }

                remaining = _config.RenewDeadline - SinceLastRenew();
                var wait = _config.RetryPeriod < remaining ? _config.RetryPeriod : remaining;
                if (wait > TimeSpan.Zero && !await DelayAsync(wait, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
    }

    private async Task<bool> TryWithDeadlineAsync(TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(deadline, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await TryAcquireOrRenewAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>client-go's tryAcquireOrRenew: true when this candidate now holds the lock, freshly written.</summary>
    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var attemptStart = _time.GetTimestamp();
        var now = _time.GetUtcNow();
        var record = new LeaderElectionRecord(Identity, (int)_config.LeaseDuration.TotalSeconds, now, now, 0);

        // The leader's fast path: write over the version it last saw; a conflict means someone else wrote.
        LeaderElectionRecord? observed;
        lock (_gate)
        {
            observed = IsHolderLocked() && IsLeaseValidLocked() ? _observedRecord : null;
        }

        if (observed is not null)
        {
            var renewal = record with { AcquireTime = observed.AcquireTime, LeaderTransitions = observed.LeaderTransitions };
            if (await WriteAsync(() => _lock.UpdateAsync(renewal, cancellationToken), renewal, attemptStart, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        LeaderElectionRecord? current;
        try
        {
            current = await _lock.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LeaderElectorLog.GetFailed(_logger, e, _lock.Describe);
            return false;
        }

        if (current is null)
        {
            return await WriteAsync(() => _lock.CreateAsync(record, cancellationToken), record, attemptStart, cancellationToken).ConfigureAwait(false);
        }

        bool holder;
        lock (_gate)
        {
            if (current != _observedRecord)
            {
                SetObservedLocked(current);
            }

            holder = IsHolderLocked();
            if (current.HolderIdentity.Length > 0 && IsLeaseValidLocked() && !holder)
            {
                return false;
            }
        }

        record = holder
            ? record with { AcquireTime = current.AcquireTime, LeaderTransitions = current.LeaderTransitions }
            : record with { LeaderTransitions = current.LeaderTransitions + 1 };
        return await WriteAsync(() => _lock.UpdateAsync(record, cancellationToken), record, attemptStart, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> WriteAsync(Func<Task> write, LeaderElectionRecord record, long attemptStart, CancellationToken cancellationToken)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LeaderElectorLog.WriteFailed(_logger, e, _lock.Describe);
            return false;
        }

        lock (_gate)
        {
            SetObservedLocked(record);
            _lastRenewStart = attemptStart;
        }

        return true;
    }

    /// <summary>client-go's release: clears the holder and shortens the lease to 1 s, so a successor need not wait it out.</summary>
    private async Task ReleaseAsync()
    {
        LeaderElectionRecord? observed;
        lock (_gate)
        {
            observed = IsHolderLocked() ? _observedRecord : null;
        }

        if (observed is null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var released = new LeaderElectionRecord("", 1, now, now, observed.LeaderTransitions);
        using var timeout = new CancellationTokenSource(_config.RenewDeadline, _time);
        try
        {
            await _lock.UpdateAsync(released, timeout.Token).ConfigureAwait(false);
            lock (_gate)
            {
                SetObservedLocked(released);
            }

            LeaderElectorLog.Released(_logger, _lock.Describe);
        }
        catch (Exception e)
        {
            LeaderElectorLog.WriteFailed(_logger, e, _lock.Describe);
        }
    }

    private void ReportTransition()
    {
        string leader;
        lock (_gate)
        {
            leader = _observedRecord?.HolderIdentity ?? "";
            if (leader == _reportedLeader)
            {
                return;
            }

            _reportedLeader = leader;
        }

        if (leader.Length > 0)
        {
            LeaderElectorLog.NewLeader(_logger, _lock.Describe, leader);
            _config.OnNewLeader?.Invoke(leader);
        }
    }

    private bool IsHolder()
    {
        lock (_gate)
        {
            return IsHolderLocked();
        }
    }

    private TimeSpan SinceLastRenew()
    {
        lock (_gate)
        {
            return _lastRenewStart is { } renewed ? _time.GetElapsedTime(renewed) : TimeSpan.MaxValue;
        }
    }

    private bool IsHolderLocked() => _observedRecord?.HolderIdentity == Identity;

    /// <summary>The observed record's lease runs from when this candidate saw it change, by this candidate's clock.</summary>
    private bool IsLeaseValidLocked() =>
        _observedRecord is { } record && _time.GetElapsedTime(_observedTime) < TimeSpan.FromSeconds(record.LeaseDurationSeconds);

    private void SetObservedLocked(LeaderElectionRecord record)
    {
        _observedRecord = record;
        _observedTime = _time.GetTimestamp();
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
