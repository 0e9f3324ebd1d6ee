using Cronos;
using KubeMesh.Api.Batch.V1;

namespace KubeMesh.ControllerManager.Controllers.CronJobs;

/// <summary>A CronJob's schedule read in its spec.timeZone (UTC when unset), as cronjob_controllerv2's schedule helpers.</summary>
internal sealed class CronSchedule
{
    private readonly CronExpression _expression;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone)
    {
        _expression = expression;
        Zone = zone;
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>The parsed schedule, or null with the reason when the schedule or the zone is unusable.</summary>
    public static CronSchedule? TryParse(CronJobSpec spec, out string? error)
    {
        error = null;
        try
        {
            var zone = spec.HasTimeZone ? TimeZoneInfo.FindSystemTimeZoneById(spec.TimeZone) : TimeZoneInfo.Utc;
            return new CronSchedule(CronExpression.Parse(spec.Schedule, CronFormat.Standard), zone);
        }
        catch (Exception e) when (e is CronFormatException or TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            error = e.Message;
            return null;
        }
    }

    public DateTimeOffset? Next(DateTimeOffset after) => _expression.GetNextOccurrence(after, Zone);

    /// <summary>
    /// The latest schedule time in (earliest, now] and how many there were (counting stops past 101: only
    /// "more than 100" matters), like getMostRecentScheduleTime.
    /// </summary>
    public (DateTimeOffset? MostRecent, int Missed) MostRecent(DateTimeOffset earliest, DateTimeOffset now)
    {
        DateTimeOffset? mostRecent = null;
        var missed = 0;
        var fromDescending = _expression.GetOccurrences(earliest, now, Zone, fromInclusive: false, toInclusive: true);
        foreach (var occurrence in fromDescending)
        {
            mostRecent = occurrence;
            missed = Math.Min(missed + 1, 101);
        }

        return (mostRecent, missed);
    }
}
