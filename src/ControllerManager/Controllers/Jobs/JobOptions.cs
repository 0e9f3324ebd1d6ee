namespace KubeMesh.ControllerManager.Controllers.Jobs;

/// <summary>
/// The Job controller's delay before replacing a failed pod (kube's DefaultJobPodFailureBackOff, doubled for every
/// failure since the last success, up to MaxJobPodFailureBackOff). Constants in kube; settings here so tests can
/// shorten them.
/// </summary>
public sealed class JobOptions
{
    public const string Section = "Job";

    public TimeSpan PodFailureBackOff { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxPodFailureBackOff { get; set; } = TimeSpan.FromMinutes(6);
}
