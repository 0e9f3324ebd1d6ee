using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.ControllerManager.Controllers.Jobs;

/// <summary>The Job's terminal conditions (Complete, Failed) as pkg/controller/job reads and writes them.</summary>
internal static class JobConditions
{
    public const string Complete = "Complete";
    public const string Failed = "Failed";

    public static Condition? Finished(Job job) =>
        job.Status?.Conditions.FirstOrDefault(c => c.Type is Complete or Failed && c.Status == "True");

    public static bool IsFinished(Job job) => Finished(job) is not null;

    public static bool Succeeded(Job job) => Finished(job)?.Type == Complete;

    public static Condition New(string type, string reason, string message, DateTimeOffset now)
    {
        var at = Timestamp.FromDateTimeOffset(now);
        return new Condition { Type = type, Status = "True", Reason = reason, Message = message, LastProbeTime = at, LastTransitionTime = at };
    }
}
