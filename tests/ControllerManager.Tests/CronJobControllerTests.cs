using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ControllerManager.Controllers.CronJobs;
using Microsoft.Extensions.Time.Testing;

namespace KubeMesh.ControllerManager.Tests;

/// <summary>
/// The controller runs on a fake clock that starts after the CronJob's (real) creation time; moving the clock is
/// the only thing that makes a schedule time arrive, so a created Job proves the delayed requeue fired.
/// </summary>
public sealed class CronJobControllerTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [SkippableFact]
    public async Task Sync_ScheduleInTimeZone_CreatesJobAtScheduledMinute()
    {
        var due = MinuteFloor(DateTimeOffset.UtcNow).AddMinutes(10);
        var tokyo = TimeZoneInfo.ConvertTime(due, TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo"));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddSeconds(1));
        await using var harness = await ControllerHarness.StartAsync(api, clock, null, c => new CronJobController(c));
        var spec = NewCronJob(harness.Namespace, "report", $"{tokyo.Minute} {tokyo.Hour} * * *");
        spec.Spec.TimeZone = "Asia/Tokyo";
        var mark = ControllerHarness.Mark();
        var cronJob = await api.Client.For<CronJob>().CreateAsync(spec);
        await harness.SyncedAsync($"{harness.Namespace}/report", mark, "the CronJob was created");
        Assert.Empty(await ListJobsAsync(harness));

        clock.SetUtcNow(due.AddSeconds(1));

        var name = $"report-{due.ToUnixTimeSeconds() / 60}";
        await Eventually.Until(async () => (await ListJobsAsync(harness)).Any(j => j.Metadata.Name == name), Timeout, $"job {name} is created");
        var job = Assert.Single(await ListJobsAsync(harness));
        Assert.Equal(tokyo.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + "+09:00", job.Metadata.Annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"]);
        var owner = Assert.Single(job.Metadata.OwnerReferences);
        Assert.Equal(("batch/v1", "CronJob", cronJob.Metadata.Uid, true), (owner.ApiVersion, owner.Kind, owner.Uid, owner.Controller));
        Assert.Equal("report", job.Metadata.Labels["app"]);
        await Eventually.Until(async () => (await GetAsync(harness, "report")).Status?.Active.Count == 1, Timeout, "status.active lists the job");
        var status = (await GetAsync(harness, "report")).Status;
        Assert.Equal(name, status.Active[0].Name);
        Assert.Equal(due, status.LastScheduleTime.ToDateTimeOffset());
        await Eventually.Until(async () => (await EventsAsync(harness)).Any(e => e.Reason == "SuccessfulCreate" && e.Message == $"Created job {name}"), Timeout, "a SuccessfulCreate event");
    }

    [SkippableFact]
    public async Task Sync_ManyMissedSchedules_StartsOnlyTheMostRecentAndReportsTooManyMissedTimes()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(200).AddSeconds(5));
        await using var harness = await ControllerHarness.StartAsync(api, clock, null, c => new CronJobController(c));

        await api.Client.For<CronJob>().CreateAsync(NewCronJob(harness.Namespace, "tick", "* * * * *"));

        var expected = $"tick-{MinuteFloor(clock.GetUtcNow()).ToUnixTimeSeconds() / 60}";
        await Eventually.Until(async () => (await GetAsync(harness, "tick")).Status?.Active.Count == 1, Timeout, "one job is started and listed");
        await harness.PokeAndWaitForSyncAsync<CronJob>("tick", "the run was started");
        Assert.Equal(expected, Assert.Single(await ListJobsAsync(harness)).Metadata.Name);
        await Eventually.Until(async () => (await EventsAsync(harness)).Any(e => e.Reason == "TooManyMissedTimes" && e.Type == "Warning"), Timeout, "a TooManyMissedTimes event");
    }

    [SkippableTheory]
    [InlineData("Forbid")]
    [InlineData("Replace")]
    [InlineData("Allow")]
    public async Task Sync_PreviousRunStillActive_FollowsConcurrencyPolicy(string policy)
    {
        var due = MinuteFloor(DateTimeOffset.UtcNow).AddMinutes(10);
        var clock = new FakeTimeProvider(due.AddSeconds(-30));
        await using var harness = await ControllerHarness.StartAsync(api, clock, null, c => new CronJobController(c));
        var spec = NewCronJob(harness.Namespace, "tick", "* * * * *");
        spec.Spec.ConcurrencyPolicy = policy;
        await api.Client.For<CronJob>().CreateAsync(spec);
        var first = $"tick-{due.AddMinutes(-1).ToUnixTimeSeconds() / 60}";
        await Eventually.Until(async () => (await GetAsync(harness, "tick")).Status?.Active.Count == 1, Timeout, "the missed run is started");

        clock.SetUtcNow(due.AddSeconds(1));

        var second = $"tick-{due.ToUnixTimeSeconds() / 60}";
        string[] expected = policy switch
        {
            "Forbid" => [first],
            "Replace" => [second],
            _ => [first, second],
        };
        if (policy == "Forbid")
        {
            // A sync at the new time must have passed the schedule by before "still only the first" means anything.
            await harness.PokeAndWaitForSyncAsync<CronJob>("tick", "the next schedule time came");
        }

        await Eventually.Until(async () => (await ListJobsAsync(harness)).Select(j => j.Metadata.Name).Order(StringComparer.Ordinal).SequenceEqual(expected), Timeout, $"jobs are {string.Join(",", expected)}");
        await Eventually.Until(async () => (await GetAsync(harness, "tick")).Status.Active.Select(a => a.Name).Order(StringComparer.Ordinal).SequenceEqual(expected), Timeout, "status.active matches");
    }

    [SkippableFact]
    public async Task Sync_FinishedJobs_KeepsHistoryLimitAndRecordsLastSuccessfulTime()
    {
        var due = MinuteFloor(DateTimeOffset.UtcNow).AddMinutes(10);
        var clock = new FakeTimeProvider(due.AddSeconds(-30));
        await using var harness = await ControllerHarness.StartAsync(api, clock, null, c => new CronJobController(c));
        var spec = NewCronJob(harness.Namespace, "tick", "* * * * *");
        spec.Spec.SuccessfulJobsHistoryLimit = 1;
        await api.Client.For<CronJob>().CreateAsync(spec);
        await Eventually.Until(async () => (await ListJobsAsync(harness)).Count == 1, Timeout, "the first run is started");
        var first = (await ListJobsAsync(harness))[0].Metadata.Name;
        await CompleteAsync(harness, first, clock.GetUtcNow());
        await Eventually.Until(async () => (await GetAsync(harness, "tick")).Status is { Active.Count: 0, LastSuccessfulTime: not null }, Timeout, "the finished run leaves status.active");

        clock.SetUtcNow(due.AddSeconds(1));
        await Eventually.Until(async () => (await ListJobsAsync(harness)).Count == 2, Timeout, "the second run is started");
        var second = (await ListJobsAsync(harness)).Single(j => j.Metadata.Name != first).Metadata.Name;
        await CompleteAsync(harness, second, clock.GetUtcNow());

        await Eventually.Until(async () => (await ListJobsAsync(harness)).Select(j => j.Metadata.Name).SequenceEqual([second]), Timeout, "only the newest successful job is kept");
        Assert.Equal(clock.GetUtcNow(), (await GetAsync(harness, "tick")).Status.LastSuccessfulTime.ToDateTimeOffset());
    }

    private static async Task CompleteAsync(ControllerHarness harness, string name, DateTimeOffset at)
    {
        var jobs = harness.Client.For<Job>();
        var job = await jobs.GetAsync(harness.Namespace, name);
        job.Status = new JobStatus { StartTime = Timestamp.FromDateTimeOffset(at), CompletionTime = Timestamp.FromDateTimeOffset(at), Succeeded = 1 };
        job.Status.Conditions.Add(new Condition { Type = "Complete", Status = "True", LastTransitionTime = Timestamp.FromDateTimeOffset(at) });
        await jobs.UpdateStatusAsync(job);
    }

    private static DateTimeOffset MinuteFloor(DateTimeOffset t) => new(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, TimeSpan.Zero);

    private static CronJob NewCronJob(string ns, string name, string schedule)
    {
        var template = TestObjects.Template(name);
        template.Spec.RestartPolicy = "OnFailure";
        return new CronJob
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = name },
            Spec = new CronJobSpec
            {
                Schedule = schedule,
                JobTemplate = new JobTemplateSpec { Metadata = new ObjectMeta { Labels = { ["app"] = name } }, Spec = new JobSpec { Template = template } },
            },
        };
    }

    private static Task<CronJob> GetAsync(ControllerHarness harness, string name) =>
        harness.Client.For<CronJob>().GetAsync(harness.Namespace, name);

    private static async Task<List<Job>> ListJobsAsync(ControllerHarness harness) =>
        [.. (await harness.Client.For<Job>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items.Where(j => j.Metadata.DeletionTimestamp is null)];

    private static async Task<IReadOnlyList<Event>> EventsAsync(ControllerHarness harness) =>
        (await harness.Client.For<Event>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items;
}
