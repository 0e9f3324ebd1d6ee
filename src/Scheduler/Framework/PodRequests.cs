using KubeMesh.Api.Core.V1;

namespace KubeMesh.Scheduler.Framework;

/// <summary>
/// What a pod asks a node for, as kube-scheduler computes it: the sum of its containers' requests, raised to the
/// largest init container's (init containers run one at a time, before the others), with sidecars (init containers
/// with restartPolicy Always) added to both because they keep running.
/// </summary>
public static class PodRequests
{
    /// <summary>Used for scoring a container that requests no CPU, so such pods still spread (kube's DefaultMilliCPURequest).</summary>
    public const long DefaultMilliCpuRequest = 100;

    /// <summary>Used for scoring a container that requests no memory (kube's DefaultMemoryRequest, 200Mi).</summary>
    public const long DefaultMemoryRequest = 200L * 1024 * 1024;

    public static Resource Compute(Pod pod) => Compute(pod, nonZero: false);

    /// <summary>The requests with unset CPU and memory taken as the defaults above: what scoring compares.</summary>
    public static Resource ComputeNonZero(Pod pod) => Compute(pod, nonZero: true);

    private static Resource Compute(Pod pod, bool nonZero)
    {
        var spec = pod.Spec;
        if (spec is null)
        {
            return Resource.Zero;
        }

        var total = Resource.Zero;
        foreach (var container in spec.Containers)
        {
            total += Of(container, nonZero);
        }

        var sidecars = Resource.Zero;
        var largestInit = Resource.Zero;
        foreach (var container in spec.InitContainers)
        {
            var request = Of(container, nonZero);
            if (container.RestartPolicy == "Always")
            {
                total += request;
                sidecars += request;
                request = sidecars;
            }
            else
            {
                request += sidecars;
            }

            largestInit = Resource.Max(largestInit, request);
        }

        return Resource.Max(total, largestInit);
    }

    private static Resource Of(Container container, bool nonZero)
    {
        var requests = container.Resources?.Requests;
        var resource = Resource.From(requests);
        if (!nonZero)
        {
            return resource;
        }

        return new Resource(
            requests?.ContainsKey("cpu") == true ? resource.MilliCpu : DefaultMilliCpuRequest,
            requests?.ContainsKey("memory") == true ? resource.Memory : DefaultMemoryRequest);
    }
}
