using KubeMesh.Client.LeaderElection;
using Microsoft.Extensions.Time.Testing;

namespace KubeMesh.Client.Tests.LeaderElection;

/// <summary>The elector against a fake lease store on a fake clock, with client-go's defaults (15 s, 10 s, 2 s).</summary>
public sealed class LeaderElectorTests : IAsyncDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeLeaseStore _store = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];

    [Fact]
    public async Task Run_NoLease_CreatesItAndLeads()
    {
        var a = Start("a");

        await Eventually.Until(() => a.Elector.IsLeader, TimeSpan.FromSeconds(10), "a leads");

        var record = _store.Record!;
        Assert.Equal("a", record.HolderIdentity);
        Assert.Equal(15, record.LeaseDurationSeconds);
        Assert.Equal(_clock.GetUtcNow(), record.AcquireTime);
        Assert.Equal(record.AcquireTime, record.RenewTime);
        Assert.Equal(0, record.LeaderTransitions);
        Assert.Equal(1, a.Started);
        Assert.Equal("a", a.Elector.Leader);
    }

    [Fact]
    public async Task Run_Leading_RenewsEveryRetryPeriodKeepingAcquireTime()
    {
        var a = Start("a");
        await Eventually.Until(() => a.Elector.IsLeader, TimeSpan.FromSeconds(10), "a leads");
        var acquired = _store.Record!.AcquireTime;

        await AdvanceAsync(TimeSpan.FromSeconds(60));

        Assert.True(a.Elector.IsLeader);
        var record = _store.Record!;
        Assert.Equal(acquired, record.AcquireTime);
        Assert.True(_clock.GetUtcNow() - record.RenewTime <= TimeSpan.FromSeconds(2.1), $"renewed at {record.RenewTime}, now {_clock.GetUtcNow()}");
        Assert.Equal(0, record.LeaderTransitions);
        Assert.InRange(_store.Writes.Count, 25, 32);
    }

    [Fact]
    public async Task Run_CannotRenew_StopsLeadingAtTheRenewDeadlineBeforeTheLeaseExpires()
    {
        var a = Start("a");
        await Eventually.Until(() => a.Elector.IsLeader, TimeSpan.FromSeconds(10), "a leads");
        await AdvanceAsync(TimeSpan.FromSeconds(5));
        var lastRenewal = _store.Writes[^1].Record.RenewTime!.Value;

        a.Lock.Partitioned = true;
        await AdvanceUntilAsync(() => !a.Elector.IsLeader, TimeSpan.FromSeconds(30));

        var lostAfter = _clock.GetUtcNow() - lastRenewal;
        Assert.InRange(lostAfter, TimeSpan.FromSeconds(9.9), TimeSpan.FromSeconds(10.1));
        await AdvanceUntilAsync(() => a.Run.IsCompleted && a.Stopped == 1, TimeSpan.FromSeconds(1));
        Assert.True(a.LeadingToken.IsCancellationRequested);
    }

    [Fact]
    public async Task Run_LeaderGone_OtherTakesOverOnlyAfterTheLeaseDuration()
    {
        var a = Start("a");
        await Eventually.Until(() => a.Elector.IsLeader, TimeSpan.FromSeconds(10), "a leads");
        var b = Start("b");
        await AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.False(b.Elector.IsLeader);
        Assert.Equal("a", b.Elector.Leader);

        // a's process dies: nothing renews the lease any more.
        a.Lock.Partitioned = true;
        var lastRenewal = _store.Writes[^1].Record.RenewTime!.Value;
        await AdvanceUntilAsync(() => b.Elector.IsLeader, TimeSpan.FromSeconds(40));

        // The time b stamped on the lease when it took it, not when the test saw it lead: steps pass between the two.
        var record = _store.Record!;
        var tookOverAfter = record.AcquireTime!.Value - lastRenewal;
        // Never before the lease duration; then within a jittered retry period (2 s, jitter 1.2), plus four seconds of
        // fake time for the steps a busy machine lets pass before the candidate's timer continuation runs.
        Assert.InRange(tookOverAfter, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15 + 2.4 + 4));
        Assert.Equal("b", record.HolderIdentity);
        Assert.Equal(1, record.LeaderTransitions);
        Assert.Equal(record.RenewTime, record.AcquireTime);
        Assert.Equal(["a", "b"], b.NewLeaders);
    }

    [Fact]
    public async Task Run_LeaderPartitioned_NeverTwoLeadersAtOnce()
    {
        var a = Start("a");
        await Eventually.Until(() => a.Elector.IsLeader, TimeSpan.FromSeconds(10), "a leads");
        var b = Start("b");
        var c = Start("c");
        await AdvanceAsync(TimeSpan.FromSeconds(7));

        a.Lock.Partitioned = true;
        var candidates = new[] { a, b, c };
        var sawNewLeader = false;
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromSeconds(60); elapsed += Step)
        {
            var leaders = candidates.Where(x => x.Elector.IsLeader).Select(x => x.Elector.Identity).ToArray();
            Assert.True(leaders.Length <= 1, $"{string.Join(" and ", leaders)} both lead at {_clock.GetUtcNow():HH:mm:ss.f}");
            sawNewLeader |= leaders is ["b"] or ["c"];
            await StepAsync();
        }

        // a is back on the network: it must not lead again without winning the lease, and it has stopped for good.
        a.Lock.Partitioned = false;
        await AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.True(sawNewLeader, "b or c took over");
        Assert.False(a.Elector.IsLeader);
        Assert.Equal(1, candidates.Count(x => x.Elector.IsLeader));
        Assert.Equal(1, _store.Record!.LeaderTransitions);
    }

    [Fact]
    public async Task Run_CancelledWithReleaseOnCancel_HandsOverWithoutWaitingOutTheLease()
    {
        var a = Start("a", releaseOnCancel: true, own: new CancellationTokenSource());
        await Eventually.Until(() => a.Elector.IsLeader, TimeSpan.FromSeconds(10), "a leads");
        var b = Start("b");
        await AdvanceAsync(TimeSpan.FromSeconds(3));

        await a.Own!.CancelAsync();
        await Eventually.Until(() => a.Run.IsCompleted, TimeSpan.FromSeconds(10), "a's elector returns");
        Assert.Equal("", _store.Record!.HolderIdentity);
        Assert.Equal(1, _store.Record.LeaseDurationSeconds);

        await AdvanceUntilAsync(() => b.Elector.IsLeader, TimeSpan.FromSeconds(6));
    }

    [Fact]
    public void Config_LeaseNotLongerThanRenewDeadline_IsRefused()
    {
        var config = new LeaderElectionConfig { LeaseDuration = TimeSpan.FromSeconds(10), RenewDeadline = TimeSpan.FromSeconds(10) };

        var ex = Assert.Throws<ArgumentException>(() => new LeaderElector(config, _store.Lock("a")));

        Assert.Contains("leaseDuration", ex.Message);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private Candidate Start(string identity, bool releaseOnCancel = false, CancellationTokenSource? own = null)
    {
        var candidate = new Candidate(_store.Lock(identity), own);
        var config = new LeaderElectionConfig
        {
            ReleaseOnCancel = releaseOnCancel,
            OnStartedLeading = token =>
            {
                candidate.LeadingToken = token;
                Interlocked.Increment(ref candidate.Started);
                return Task.CompletedTask;
            },
            OnStoppedLeading = () => Interlocked.Increment(ref candidate.Stopped),
            OnNewLeader = candidate.NewLeaders.Add,
        };
        candidate.Elector = new LeaderElector(config, candidate.Lock, _clock);
        var token = own is null ? _stop.Token : CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, own.Token).Token;
        candidate.Run = Task.Run(() => candidate.Elector.RunAsync(token));
        _running.Add(candidate.Run);
        return candidate;
    }

    /// <summary>Moves the clock in small steps, giving the electors' continuations a moment to run after each.</summary>
    private async Task AdvanceAsync(TimeSpan duration)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += Step)
        {
            await StepAsync();
        }
    }

    private async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        for (var elapsed = TimeSpan.Zero; !condition(); elapsed += Step)
        {
            Assert.True(elapsed < limit, $"not true within {limit} of fake time");
            await StepAsync();
        }
    }

    private async Task StepAsync()
    {
        _clock.Advance(Step);

        // Real time for the continuations the step released to run before the next one. On a loaded machine they
        // may still be queued after that: let the thread pool drain (bounded) so that fake time does not run ahead.
        await Task.Delay(5);
        for (var i = 0; i < 40 && ThreadPool.PendingWorkItemCount > 0; i++)
        {
            await Task.Delay(5);
        }
    }

    private sealed class Candidate(FakeLeaseStore.CandidateLock leaseLock, CancellationTokenSource? own)
    {
        public FakeLeaseStore.CandidateLock Lock { get; } = leaseLock;

        public CancellationTokenSource? Own { get; } = own;

        public LeaderElector Elector { get; set; } = null!;

        public Task Run { get; set; } = Task.CompletedTask;

        public CancellationToken LeadingToken { get; set; }

        public List<string> NewLeaders { get; } = [];

        public int Started;

        public int Stopped;
    }
}
