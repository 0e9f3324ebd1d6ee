using System.Text.RegularExpressions;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ControllerManager.Controllers.GarbageCollection;
using KubeMesh.ControllerManager.Controllers.Jobs;

namespace KubeMesh.ControllerManager.Tests;

public sealed partial class JobControllerTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task Sync_CompletionsWithParallelism_RunsAtMostParallelismAndCompletes()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new JobController(c));
        await using var kubelet = new RunToCompletionKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(300), _ => PodOutcome.Succeed);
        await using var recorder = new PodStateRecorder(api.Client, harness.Namespace);
        var job = await api.Client.For<Job>().CreateAsync(NewJob(harness.Namespace, "pi", "Never", completions: 4, parallelism: 2));

        await Eventually.Until(async () => JobConditionsOf(await GetAsync(harness, "pi")).Contains("Complete"), Timeout, "the job completes");

        var status = (await GetAsync(harness, "pi")).Status;
        Assert.Equal((4, 0, 0), (status.Succeeded, status.Failed, status.Active));
        Assert.NotNull(status.StartTime);
        Assert.NotNull(status.CompletionTime);
        var pods = await ListPodsAsync(harness);
        Assert.Equal(4, pods.Count);
        Assert.All(pods, p =>
        {
            Assert.Matches(PodName(), p.Metadata.Name);
            Assert.Equal("Succeeded", p.Status.Phase);
            Assert.Equal(job.Metadata.Uid, p.Metadata.Labels["controller-uid"]);
            Assert.Equal(job.Metadata.Uid, p.Metadata.Labels["batch.kubernetes.io/controller-uid"]);
            Assert.Equal("pi", p.Metadata.Labels["job-name"]);
            Assert.Equal("pi", p.Metadata.Labels["batch.kubernetes.io/job-name"]);
            var owner = Assert.Single(p.Metadata.OwnerReferences);
            Assert.Equal(("batch/v1", "Job", job.Metadata.Uid, true), (owner.ApiVersion, owner.Kind, owner.Uid, owner.Controller));
        });
        Assert.True(recorder.States.Max(s => s.Ready) <= 2, "never more than parallelism pods running at once");
        await Eventually.Until(async () =>
        {
            var events = await EventsAsync(harness);
            return events.Count(e => e.Reason == "SuccessfulCreate") == 4 && events.Any(e => e.Reason == "Completed" && e.Message == "Job completed");
        }, Timeout, "four SuccessfulCreate events and a Completed event");
    }

    [SkippableFact]
    public async Task Sync_ContainerRestartsUnderOnFailure_FailsWithBackoffLimitExceededAfterThreeRuns()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new JobController(c));
        await using var kubelet = new RunToCompletionKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(200), _ => PodOutcome.RestartContainer);
        var spec = NewJob(harness.Namespace, "flaky", "OnFailure", completions: 1, parallelism: 1);
        spec.Spec.BackoffLimit = 2;
        await api.Client.For<Job>().CreateAsync(spec);

        await Eventually.Until(async () => JobConditionsOf(await GetAsync(harness, "flaky")).Contains("Failed"), Timeout, "the job fails");

        var job = await GetAsync(harness, "flaky");
        var failed = Assert.Single(job.Status.Conditions, c => c.Type == "Failed");
        Assert.Equal(("True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"), (failed.Status, failed.Reason, failed.Message));
        Assert.Equal(0, job.Status.Active);
        await Eventually.Until(async () => (await ListPodsAsync(harness)).Count == 0, Timeout, "the restarting pod is deleted");
        await harness.PokeAndWaitForSyncAsync<Job>("flaky", "its pod was deleted");
        Assert.Empty(await ListPodsAsync(harness));
        var events = await EventsAsync(harness);
        Assert.Single(events, e => e.Reason == "SuccessfulCreate");
        await Eventually.Until(async () => (await EventsAsync(harness)).Any(e => e.Reason == "BackoffLimitExceeded" && e.Type == "Warning"), Timeout, "a BackoffLimitExceeded event");
    }

    [SkippableFact]
    public async Task Sync_FailedPodsUnderNever_CreatesThreePodsEachAfterADoublingBackOffThenFails()
    {
        var backOff = TimeSpan.FromSeconds(1);
        await using var harness = await ControllerHarness.StartAsync(api, new Dictionary<string, string?> { ["Job:PodFailureBackOff"] = backOff.ToString() }, c => new JobController(c));
        await using var recorder = new PodStateRecorder(api.Client, harness.Namespace);
        await recorder.Started;
        await using var kubelet = new RunToCompletionKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(200), _ => PodOutcome.Fail);
        var spec = NewJob(harness.Namespace, "crash", "Never", completions: 1, parallelism: 1);
        spec.Spec.BackoffLimit = 2;
        await api.Client.For<Job>().CreateAsync(spec);

        await Eventually.Until(async () => JobConditionsOf(await GetAsync(harness, "crash")).Contains("Failed"), Timeout, "the job fails");

        var job = await GetAsync(harness, "crash");
        Assert.Equal(3, job.Status.Failed);
        Assert.Equal("BackoffLimitExceeded", job.Status.Conditions.Single(c => c.Type == "Failed").Reason);
        await harness.PokeAndWaitForSyncAsync<Job>("crash", "it failed");
        var pods = await ListPodsAsync(harness);
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal("Failed", p.Status.Phase));

        // Each replacement waits the base delay doubled per failure so far, counted from when the last pod ended.
        var finished = pods.ToDictionary(p => p.Metadata.Name, p => p.Status.ContainerStatuses.Single().State.Terminated.FinishedAt.ToDateTimeOffset());
        var created = recorder.Added.ToList();
        Assert.Equal(3, created.Count);
        Assert.True(created[1].Seen - finished[created[0].Name] >= backOff, $"second pod {created[1].Seen:O} at least {backOff} after the first failed {finished[created[0].Name]:O}");
        Assert.True(created[2].Seen - finished[created[1].Name] >= 2 * backOff, $"third pod {created[2].Seen:O} at least {2 * backOff} after the second failed {finished[created[1].Name]:O}");
    }

    [SkippableFact]
    public void Delay_ManyFailures_DoublesFromTheBaseUpToTheMaximum()
    {
        var options = new JobOptions();

        Assert.Equal(
            [10, 20, 40, 80, 160, 320, 360, 360],
            new[] { 1, 2, 3, 4, 5, 6, 7, 1000 }.Select(n => (int)JobBackOff.Delay(n, options).TotalSeconds));
    }

    [SkippableFact]
    public async Task Sync_ActiveDeadlinePassed_FailsWithDeadlineExceededAndDeletesPods()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new JobController(c));
        await using var kubelet = new RunToCompletionKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(100), _ => PodOutcome.KeepRunning);
        var spec = NewJob(harness.Namespace, "slow", "Never", completions: 2, parallelism: 2);
        spec.Spec.ActiveDeadlineSeconds = 2;
        await api.Client.For<Job>().CreateAsync(spec);
        await Eventually.Until(async () => (await GetAsync(harness, "slow")).Status?.Ready == 2, Timeout, "two pods are ready");

        await Eventually.Until(async () => JobConditionsOf(await GetAsync(harness, "slow")).Contains("Failed"), Timeout, "the job fails");

        var failed = (await GetAsync(harness, "slow")).Status.Conditions.Single(c => c.Type == "Failed");
        Assert.Equal("DeadlineExceeded", failed.Reason);
        await Eventually.Until(async () => (await ListPodsAsync(harness)).Count == 0, Timeout, "the running pods are deleted");
    }

    [SkippableFact]
    public async Task Sync_TtlSecondsAfterFinished_DeletesJobAndGarbageCollectorRemovesPods()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new JobController(c), c => new GarbageCollectorController(c));
        await using var kubelet = new RunToCompletionKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(100), _ => PodOutcome.Succeed);
        var spec = NewJob(harness.Namespace, "once", "Never", completions: 1, parallelism: 1);
        spec.Spec.TtlSecondsAfterFinished = 1;
        await api.Client.For<Job>().CreateAsync(spec);

        await Eventually.Until(async () => (await api.Client.For<Job>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items.Count == 0, Timeout, "the finished job is deleted");

        await Eventually.Until(async () => (await ListPodsAsync(harness)).Count == 0, Timeout, "its pods are collected");
    }

    private static Job NewJob(string ns, string name, string restartPolicy, int completions, int parallelism)
    {
        var template = TestObjects.Template(name);
        template.Spec.RestartPolicy = restartPolicy;
        return new Job
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = name },
            Spec = new JobSpec { Completions = completions, Parallelism = parallelism, Template = template },
        };
    }

    private static List<string> JobConditionsOf(Job job) =>
        [.. job.Status?.Conditions.Where(c => c.Status == "True").Select(c => c.Type) ?? []];

    private static Task<Job> GetAsync(ControllerHarness harness, string name) =>
        harness.Client.For<Job>().GetAsync(harness.Namespace, name);

    private static async Task<List<Pod>> ListPodsAsync(ControllerHarness harness) =>
        [.. (await harness.Client.For<Pod>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items.Where(p => p.Metadata.DeletionTimestamp is null)];

    private static async Task<IReadOnlyList<Event>> EventsAsync(ControllerHarness harness) =>
        (await harness.Client.For<Event>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items;

    [GeneratedRegex("^pi-[bcdfghjklmnpqrstvwxz2456789]{5}$")]
    private static partial Regex PodName();
}
