using Google.Protobuf;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Registry.Strategies;

/// <summary>Pods start Pending and are deleted gracefully once a kubelet runs them.</summary>
public sealed class PodStrategy() : ResourceStrategy(ResourceKinds.Pod)
{
    public override void PrepareForCreate(IMessage obj)
    {
        var pod = (Pod)obj;
        pod.Status = new PodStatus { Phase = "Pending", QosClass = QosClass(pod.Spec) };
    }

    public override long? GracefulDeletionSeconds(IMessage obj, long? requested)
    {
        var pod = (Pod)obj;
        // An unscheduled or finished pod has no containers to stop: it goes at once, as in Kubernetes.
        if (string.IsNullOrEmpty(pod.Spec?.NodeName) || pod.Status?.Phase is "Succeeded" or "Failed")
        {
            return null;
        }

        var seconds = requested ?? (pod.Spec.HasTerminationGracePeriodSeconds ? pod.Spec.TerminationGracePeriodSeconds : 30);
        return seconds > 0 ? seconds : null;
    }

    /// <summary>Guaranteed when every container's limits equal its requests, BestEffort when none set any.</summary>
    private static string QosClass(PodSpec? spec)
    {
        var containers = spec?.Containers.Concat(spec.InitContainers).ToList() ?? [];
        if (containers.All(c => c.Resources is null || (c.Resources.Requests.Count == 0 && c.Resources.Limits.Count == 0)))
        {
            return "BestEffort";
        }

        var guaranteed = containers.All(c =>
            c.Resources is not null
            && c.Resources.Limits.ContainsKey("cpu") && c.Resources.Limits.ContainsKey("memory")
            && c.Resources.Requests.All(r => c.Resources.Limits.TryGetValue(r.Key, out var l) && l == r.Value));
        return guaranteed ? "Guaranteed" : "Burstable";
    }
}
