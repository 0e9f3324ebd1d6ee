using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ControllerManager.Controllers.Jobs;
using static KubeMesh.ControllerManager.Tests.Unit.UnitObjects;

namespace KubeMesh.ControllerManager.Tests.Unit;

public sealed class JobSyncTests
{
    private const string Ns = ControllerTestContext.Namespace;
    private const string Key = Ns + "/pi";
    private readonly ControllerTestContext _t = new(new Dictionary<string, string?> { ["Job:PodFailureBackOff"] = "00:00:10" });

    [Fact]
    public async Task SyncAsync_NewJob_CreatesParallelismPodsLabelledForItAndStartsIt()
    {
        var job = _t.Add(NewJob(completions: 4, parallelism: 2));
        using var controller = new JobController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(["create pods", "create pods", "update jobs/status shop/pi"], _t.TakeWrites());
        Assert.All(_t.Api.List<Pod>(), p =>
        {
            Assert.Equal((job.Metadata.Uid, "pi"), (p.Metadata.Labels["batch.kubernetes.io/controller-uid"], p.Metadata.Labels["batch.kubernetes.io/job-name"]));
            Assert.Equal(job.Metadata.Uid, Assert.Single(p.Metadata.OwnerReferences).Uid);
        });
        var status = _t.Api.Get<Job>(Ns, "pi")!.Status;
        Assert.Equal((2, _t.Now), (status.Active, status.StartTime.ToDateTimeOffset()));
    }

    [Fact]
    public async Task SyncAsync_EnoughPodsSucceeded_CompletesTheJob()
    {
        var job = _t.Add(Started(NewJob(completions: 2, parallelism: 2)));
        _t.Add(JobPod(job, "pi-a", "Succeeded"));
        _t.Add(JobPod(job, "pi-b", "Succeeded"));
        using var controller = new JobController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(["update jobs/status shop/pi"], _t.TakeWrites());
        var status = _t.Api.Get<Job>(Ns, "pi")!.Status;
        Assert.Equal((2, 0, 0, _t.Now), (status.Succeeded, status.Failed, status.Active, status.CompletionTime.ToDateTimeOffset()));
        Assert.Equal("True", status.Conditions.Single(c => c.Type == "Complete").Status);
    }

    [Fact]
    public async Task SyncAsync_FailuresPastTheBackoffLimit_FailTheJobThenItsActivePodsGo()
    {
        var spec = Started(NewJob(completions: 3, parallelism: 1));
        spec.Spec.BackoffLimit = 1;
        var job = _t.Add(spec);
        _t.Add(JobPod(job, "pi-a", "Failed"));
        _t.Add(JobPod(job, "pi-b", "Failed"));
        _t.Add(JobPod(job, "pi-c", "Running"));
        using var controller = new JobController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Contains("BackoffLimitExceeded", _t.Api.EventReasons);
        Assert.Equal(["update jobs/status shop/pi"], _t.TakeWrites());
        var failed = _t.Api.Get<Job>(Ns, "pi")!.Status;
        Assert.Equal((3, 0), (failed.Failed, failed.Active));
        Assert.Equal("BackoffLimitExceeded", failed.Conditions.Single(c => c.Type == "Failed").Reason);

        _t.Observe<Job>();
        await controller.SyncAsync(Key, default);

        Assert.Equal(["delete pods shop/pi-c"], _t.TakeWrites());
    }

    [Fact]
    public async Task SyncAsync_PodFailedMomentsAgo_ReplacesItOnlyOnceTheBackOffHasPassed()
    {
        var job = _t.Add(Started(NewJob(completions: 1, parallelism: 1)));
        var failed = JobPod(job, "pi-a", "Failed");
        failed.Status.ContainerStatuses.Add(new ContainerStatus
        {
            Name = "web",
            State = new ContainerState { Terminated = new ContainerStateTerminated { ExitCode = 1, FinishedAt = Timestamp.FromDateTimeOffset(_t.Now.AddSeconds(-3)) } },
        });
        _t.Add(failed);
        using var controller = new JobController(_t.Context);

        await controller.SyncAsync(Key, default);
        Assert.DoesNotContain("create pods", _t.TakeWrites());

        _t.Observe<Job>();
        _t.Time.Advance(TimeSpan.FromSeconds(7));
        await controller.SyncAsync(Key, default);

        Assert.Contains("create pods", _t.TakeWrites());
    }

    [Fact]
    public async Task SyncAsync_ActiveDeadlinePassed_FailsWithDeadlineExceeded()
    {
        var spec = Started(NewJob(completions: 1, parallelism: 1));
        spec.Spec.ActiveDeadlineSeconds = 30;
        spec.Status.StartTime = Timestamp.FromDateTimeOffset(_t.Now.AddSeconds(-31));
        var job = _t.Add(spec);
        _t.Add(JobPod(job, "pi-a", "Running"));
        using var controller = new JobController(_t.Context);

        await controller.SyncAsync(Key, default);

        var condition = _t.Api.Get<Job>(Ns, "pi")!.Status.Conditions.Single(c => c.Type == "Failed");
        Assert.Equal(("DeadlineExceeded", "Job was active longer than specified deadline"), (condition.Reason, condition.Message));
    }

    private static Job NewJob(int completions, int parallelism)
    {
        var template = TestObjects.Template("pi");
        template.Spec.RestartPolicy = "Never";
        return new Job
        {
            Metadata = new ObjectMeta { Namespace = Ns, Name = "pi" },
            Spec = new JobSpec { Completions = completions, Parallelism = parallelism, Template = template },
        };
    }

    private Job Started(Job job)
    {
        job.Status = new JobStatus { StartTime = Timestamp.FromDateTimeOffset(_t.Now) };
        return job;
    }

    private static Pod JobPod(Job job, string name, string phase)
    {
        var pod = JobPods.New(job);
        pod.Metadata.Name = name;
        return WithPhase(pod, phase, ready: phase == "Running");
    }
}
