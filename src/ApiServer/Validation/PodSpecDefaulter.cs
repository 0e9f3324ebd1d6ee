using Google.Protobuf.Collections;
using KubeMesh.Api.Core.V1;

namespace KubeMesh.ApiServer.Validation;

/// <summary>Kubernetes' SetDefaults_PodSpec, _Container, _Probe and the volume defaults, for pods and pod templates.</summary>
internal static class PodSpecDefaulter
{
    private const int DefaultFileMode = 0x1A4; // 0644

    public static void Apply(PodTemplateSpec? template)
    {
        if (template?.Spec is { } spec)
        {
            Apply(spec);
        }
    }

    public static void Apply(PodSpec spec)
    {
        spec.RestartPolicy = Or(spec.RestartPolicy, "Always");
        spec.DnsPolicy = Or(spec.DnsPolicy, "ClusterFirst");
        spec.SchedulerName = Or(spec.SchedulerName, "default-scheduler");
        spec.TerminationGracePeriodSeconds = spec.HasTerminationGracePeriodSeconds ? spec.TerminationGracePeriodSeconds : 30;
        spec.EnableServiceLinks = !spec.HasEnableServiceLinks || spec.EnableServiceLinks;
        if (spec.ServiceAccountName.Length == 0 && spec.ServiceAccount.Length > 0)
        {
            spec.ServiceAccountName = spec.ServiceAccount;
        }

        foreach (var container in spec.InitContainers.Concat(spec.Containers))
        {
            Apply(container);
        }

        foreach (var volume in spec.Volumes)
        {
            Apply(volume);
        }
    }

    private static void Apply(Container container)
    {
        container.ImagePullPolicy = Or(container.ImagePullPolicy, PullPolicyFor(container.Image));
        container.TerminationMessagePath = Or(container.TerminationMessagePath, "/dev/termination-log");
        container.TerminationMessagePolicy = Or(container.TerminationMessagePolicy, "File");
        foreach (var port in container.Ports)
        {
            port.Protocol = Or(port.Protocol, "TCP");
        }

        foreach (var env in container.Env)
        {
            if (env.ValueFrom?.FieldRef is { } fieldRef)
            {
                fieldRef.ApiVersion = Or(fieldRef.ApiVersion, "v1");
            }
        }

        // Kubernetes' resources is a struct, never absent ("resources: {}"), so a template that went through a
        // Kubernetes client (kubectl rollout undo copies a ReplicaSet's) equals the stored one.
        var resources = container.Resources ??= new ResourceRequirements();

        // A limit without a request means the request equals the limit.
        foreach (var (name, limit) in resources.Limits)
        {
            resources.Requests.TryAdd(name, limit);
        }

        Apply(container.LivenessProbe);
        Apply(container.ReadinessProbe);
        Apply(container.StartupProbe);
    }

    private static void Apply(Probe? probe)
    {
        if (probe is null)
        {
            return;
        }

        probe.TimeoutSeconds = probe.TimeoutSeconds == 0 ? 1 : probe.TimeoutSeconds;
        probe.PeriodSeconds = probe.PeriodSeconds == 0 ? 10 : probe.PeriodSeconds;
        probe.SuccessThreshold = probe.SuccessThreshold == 0 ? 1 : probe.SuccessThreshold;
        probe.FailureThreshold = probe.FailureThreshold == 0 ? 3 : probe.FailureThreshold;
        if (probe.HttpGet is { } http)
        {
            http.Path = Or(http.Path, "/");
            http.Scheme = Or(http.Scheme, "HTTP");
        }
    }

    private static void Apply(Volume volume)
    {
        if (volume.ConfigMap is { } configMap && !configMap.HasDefaultMode)
        {
            configMap.DefaultMode = DefaultFileMode;
        }

        if (volume.Secret is { } secret && !secret.HasDefaultMode)
        {
            secret.DefaultMode = DefaultFileMode;
        }

        if (volume.DownwardApi is { } downward)
        {
            downward.DefaultMode = downward.HasDefaultMode ? downward.DefaultMode : DefaultFileMode;
            foreach (var item in downward.Items)
            {
                if (item.FieldRef is { } fieldRef)
                {
                    fieldRef.ApiVersion = Or(fieldRef.ApiVersion, "v1");
                }
            }
        }
    }

    /// <summary>Always for ":latest" or no tag (the image may have moved), else IfNotPresent.</summary>
    public static string PullPolicyFor(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return "IfNotPresent";
        }

        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        var colon = lastSegment.LastIndexOf(':');
        return colon < 0 || lastSegment[(colon + 1)..] == "latest" ? "Always" : "IfNotPresent";
    }

    private static string Or(string value, string fallback) => value.Length == 0 ? fallback : value;

    internal static void DefaultProtocols(RepeatedField<ServicePort> ports)
    {
        foreach (var port in ports)
        {
            port.Protocol = Or(port.Protocol, "TCP");
        }
    }
}
