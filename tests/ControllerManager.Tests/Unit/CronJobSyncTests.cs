using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ControllerManager.Controllers.Common;
using KubeMesh.ControllerManager.Controllers.CronJobs;
using KubeMesh.ControllerManager.Controllers.Jobs;

namespace KubeMesh.ControllerManager.Tests.Unit;

/// <summary>The fake clock reads 12:00:00; the CronJob was created ten minutes before unless a test says otherwise.</summary>
public sealed class CronJobSyncTests
{
    private const string Ns = ControllerTestContext.Namespace;
    private const string Key = Ns + "/tick";
    private readonly ControllerTestContext _t = new();

    [Fact]
    public async Task SyncAsync_ScheduleTimeReached_StartsTheJobNamedForThatMinuteAndListsIt()
    {
        var cronJob = _t.Add(NewCronJob("*/5 * * * *"));
        using var controller = new CronJobController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(["create jobs", "update cronjobs/status shop/tick"], _t.TakeWrites());
        var job = Assert.Single(_t.Api.List<KubeMesh.Api.Batch.V1.Job>());
        Assert.Equal($"tick-{_t.Now.ToUnixTimeSeconds() / 60}", job.Metadata.Name);
        Assert.Equal(cronJob.Metadata.Uid, Assert.Single(job.Metadata.OwnerReferences).Uid);
        Assert.Equal("2026-03-02T12:00:00Z", job.Metadata.Annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"]);
        var status = _t.Api.Get<CronJob>(Ns, "tick")!.Status;
        Assert.Equal(job.Metadata.Name, Assert.Single(status.Active).Name);
        Assert.Equal(_t.Now, status.LastScheduleTime.ToDateTimeOffset());
    }

    [Fact]
    public async Task SyncAsync_BeforeTheFirstScheduleTime_StartsNothing()
    {
        _t.Add(NewCronJob("30 12 * * *"));
        using var controller = new CronJobController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.DoesNotContain("create jobs", _t.TakeWrites());
    }

    [Theory]
    [InlineData("Forbid", new string[0])]
    [InlineData("Replace", new[] { "delete jobs shop/tick-previous", "create jobs" })]
    [InlineData("Allow", new[] { "create jobs" })]
    public async Task SyncAsync_PreviousRunStillActive_FollowsTheConcurrencyPolicy(string policy, string[] jobWrites)
    {
        var spec = NewCronJob("*/5 * * * *");
        spec.Spec.ConcurrencyPolicy = policy;
        spec.Status = new CronJobStatus { LastScheduleTime = Timestamp.FromDateTimeOffset(_t.Now.AddMinutes(-5)) };
        var cronJob = _t.Add(spec);
        var previous = _t.Add(OwnedJob(cronJob, "tick-previous", _t.Now.AddMinutes(-5)));
        cronJob.Status.Active.Add(new ObjectReference { Kind = "Job", Namespace = Ns, Name = previous.Metadata.Name, Uid = previous.Metadata.Uid });
        _t.Api.Put(cronJob);
        _t.Observe<CronJob>();
        using var controller = new CronJobController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(policy == "Forbid", _t.Api.EventReasons.Contains("JobAlreadyActive"));
        Assert.Equal(jobWrites, _t.TakeWrites().Where(w => w.Contains("jobs", StringComparison.Ordinal) && !w.Contains("cronjobs", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SyncAsync_FinishedJobsBeyondTheHistoryLimits_DeletesTheOldest()
    {
        var spec = NewCronJob("0 0 1 1 *");
        spec.Spec.SuccessfulJobsHistoryLimit = 1;
        spec.Spec.FailedJobsHistoryLimit = 1;
        var cronJob = _t.Add(spec);
        for (var i = 1; i <= 3; i++)
        {
            _t.Add(Finished(OwnedJob(cronJob, $"ok-{i}", _t.Now.AddMinutes(-10 + i)), JobConditions.Complete));
            _t.Add(Finished(OwnedJob(cronJob, $"bad-{i}", _t.Now.AddMinutes(-10 + i)), JobConditions.Failed));
        }

        using var controller = new CronJobController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(["bad-3", "ok-3"], _t.Api.List<KubeMesh.Api.Batch.V1.Job>().Select(j => j.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.All(_t.Api.Writes.Where(a => a.Verb == "delete"), d => Assert.Equal("Background", ((DeleteRequest)d.Object!).PropagationPolicy));
    }

    [Fact]
    public async Task SyncAsync_UnparseableSchedule_WarnsAndStartsNothing()
    {
        _t.Add(NewCronJob("every day at noon"));
        using var controller = new CronJobController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Contains("UnparseableSchedule", _t.Api.EventReasons);
        Assert.DoesNotContain("create jobs", _t.TakeWrites());
    }

    private CronJob NewCronJob(string schedule)
    {
        var template = TestObjects.Template("tick");
        template.Spec.RestartPolicy = "OnFailure";
        return new CronJob
        {
            Metadata = new ObjectMeta { Namespace = Ns, Name = "tick", CreationTimestamp = Timestamp.FromDateTimeOffset(_t.Now.AddMinutes(-10)) },
            Spec = new CronJobSpec { Schedule = schedule, JobTemplate = new JobTemplateSpec { Spec = new JobSpec { Template = template } } },
        };
    }

    private static KubeMesh.Api.Batch.V1.Job OwnedJob(CronJob cronJob, string name, DateTimeOffset started) => new()
    {
        Metadata = new ObjectMeta
        {
            Namespace = Ns,
            Name = name,
            CreationTimestamp = Timestamp.FromDateTimeOffset(started),
            OwnerReferences = { OwnerReferences.NewControllerRef(cronJob.Metadata, ResourceKinds.CronJob) },
        },
        Spec = new JobSpec(),
        Status = new JobStatus { StartTime = Timestamp.FromDateTimeOffset(started) },
    };

    private static KubeMesh.Api.Batch.V1.Job Finished(KubeMesh.Api.Batch.V1.Job job, string type)
    {
        var at = job.Status.StartTime.ToDateTimeOffset().AddSeconds(30);
        job.Status.Conditions.Add(JobConditions.New(type, "", "", at));
        if (type == JobConditions.Complete)
        {
            job.Status.CompletionTime = Timestamp.FromDateTimeOffset(at);
        }

        return job;
    }
}
