using Google.Protobuf;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Printing;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Printing;

namespace KubeMesh.Kmctl.Describe;

/// <summary>kubectl describe's text for one object: its own sections per kind, then its events.</summary>
public static class ObjectDescriber
{
    public static string Describe(ResourceKind kind, IMessage obj, IEnumerable<Event> events, DateTimeOffset now)
    {
        var w = new DescriptionWriter();
        var meta = kind.Metadata(obj);
        w.Field(0, "Name", meta.Name);
        if (kind.Namespaced)
        {
            w.Field(0, "Namespace", meta.Namespace);
        }

        switch (obj)
        {
            case Pod pod:
                DescribePod(w, pod, now);
                break;
            default:
                w.Map(0, "Labels", meta.Labels);
                w.Map(0, "Annotations", meta.Annotations);
                w.Field(0, "CreationTimestamp", PodTemplateDescriber.Time(meta.CreationTimestamp));
                DescribeWorkload(w, obj);
                break;
        }

        var text = w.ToString();
        var tail = new DescriptionWriter();
        EventsSection.Write(tail, events, now);
        return text + tail;
    }

    private static void DescribePod(DescriptionWriter w, Pod pod, DateTimeOffset now)
    {
        var spec = pod.Spec ?? new PodSpec();
        var status = pod.Status ?? new PodStatus();
        w.Field(0, "Priority", (spec.HasPriority ? spec.Priority : 0).ToString());
        w.Field(0, "Service Account", spec.ServiceAccountName.Length > 0 ? spec.ServiceAccountName : "default");
        w.Field(0, "Node", spec.NodeName.Length == 0 ? "<none>" : status.HostIp.Length > 0 ? $"{spec.NodeName}/{status.HostIp}" : spec.NodeName);
        if (status.StartTime is not null)
        {
            w.Field(0, "Start Time", PodTemplateDescriber.Time(status.StartTime));
        }

        w.Map(0, "Labels", pod.Metadata?.Labels);
        w.Map(0, "Annotations", pod.Metadata?.Annotations.Where(a => !SchedulingResultsSection.IsResultAnnotation(a.Key)));
        if (pod.Metadata?.DeletionTimestamp is { } deleting)
        {
            w.Field(0, "Status", $"Terminating (lasts {HumanDuration.Since(deleting, now)})");
        }
        else
        {
            w.Field(0, "Status", status.Phase);
        }

        if (status.Reason.Length > 0)
        {
            w.Field(0, "Reason", status.Reason);
        }

        if (status.Message.Length > 0)
        {
            w.Field(0, "Message", status.Message);
        }

        w.Line(0, $"IP:\t{status.PodIp}");
        var ips = status.PodIps.Select(i => i.Ip).DefaultIfEmpty(status.PodIp).Where(i => i.Length > 0).ToList();
        if (ips.Count == 0)
        {
            w.Field(0, "IPs", "<none>");
        }
        else
        {
            w.Line(0, "IPs:");
            ips.ForEach(ip => w.Line(1, $"IP:\t{ip}"));
        }

        var controller = pod.Metadata?.OwnerReferences.FirstOrDefault(o => o.HasController && o.Controller);
        if (controller is not null)
        {
            w.Field(0, "Controlled By", $"{controller.Kind}/{controller.Name}");
        }

        PodTemplateDescriber.Containers(w, 0, "Init Containers", spec.InitContainers, status.InitContainerStatuses);
        PodTemplateDescriber.Containers(w, 0, "Containers", spec.Containers, status.ContainerStatuses);
        if (status.Conditions.Count > 0)
        {
            w.Line(0, "Conditions:");
            w.Line(1, "Type\tStatus");
            foreach (var c in status.Conditions)
            {
                w.Line(1, $"{c.Type}\t{c.Status} ");
            }
        }

        PodTemplateDescriber.Volumes(w, 0, spec.Volumes);
        w.Field(0, "QoS Class", status.QosClass);
        w.Map(0, "Node-Selectors", spec.NodeSelector);
        var tolerations = spec.Tolerations.Select(t =>
            $"{t.Key}{(t.Operator == "Exists" ? "" : $"={t.Value}")}{(t.Effect.Length > 0 ? ":" + t.Effect : "")}{(t.HasTolerationSeconds ? $" for {t.TolerationSeconds}s" : "")}").ToList();
        w.Field(0, "Tolerations", string.Join(", ", tolerations));
        SchedulingResultsSection.Write(w, pod.Metadata?.Annotations);
    }

    private static void DescribeWorkload(DescriptionWriter w, IMessage obj)
    {
        switch (obj)
        {
            case Deployment d:
                var s = d.Status ?? new DeploymentStatus();
                w.Field(0, "Selector", PodTemplateColumns.Selector(d.Spec?.Selector));
                w.Field(0, "Replicas", $"{(d.Spec is { HasReplicas: true } ? d.Spec.Replicas : 1)} desired | {s.UpdatedReplicas} updated | {s.Replicas} total | {s.AvailableReplicas} available | {s.UnavailableReplicas} unavailable");
                w.Field(0, "StrategyType", d.Spec?.Strategy?.Type is { Length: > 0 } type ? type : "RollingUpdate");
                w.Field(0, "MinReadySeconds", (d.Spec?.MinReadySeconds ?? 0).ToString());
                if (d.Spec?.Strategy?.RollingUpdate is { } ru)
                {
                    w.Field(0, "RollingUpdateStrategy", $"{IntOrString(ru.MaxUnavailable, "25%")} max unavailable, {IntOrString(ru.MaxSurge, "25%")} max surge");
                }

                Template(w, d.Spec?.Template);
                Conditions(w, s.Conditions);
                break;
            case ReplicaSet rs:
                w.Field(0, "Selector", PodTemplateColumns.Selector(rs.Spec?.Selector));
                w.Field(0, "Replicas", $"{rs.Status?.Replicas ?? 0} current / {(rs.Spec is { HasReplicas: true } ? rs.Spec.Replicas : 1)} desired");
                Template(w, rs.Spec?.Template);
                break;
            default:
                var node = ObjectPrinter.ToNode(ResourceKinds.For(obj.Descriptor), obj).AsObject();
                foreach (var section in new[] { "spec", "status", "data", "subsets", "involvedObject" })
                {
                    if (node[section] is { } value)
                    {
                        w.Line(0, char.ToUpperInvariant(section[0]) + section[1..] + ":");
                        foreach (var line in ObjectPrinter.Yaml(value).TrimEnd('\n').Split('\n'))
                        {
                            w.Line(1, line);
                        }
                    }
                }

                break;
        }
    }

    private static void Template(DescriptionWriter w, PodTemplateSpec? template)
    {
        if (template is not null)
        {
            foreach (var line in PodTemplateDescriber.Describe(template).TrimEnd('\n').Split('\n'))
            {
                w.Line(0, line);
            }
        }
    }

    private static void Conditions(DescriptionWriter w, IEnumerable<KubeMesh.Api.Meta.V1.Condition> conditions)
    {
        var list = conditions.ToList();
        if (list.Count == 0)
        {
            return;
        }

        w.Line(0, "Conditions:");
        w.Line(1, "Type\tStatus\tReason");
        w.Line(1, "----\t------\t------");
        list.ForEach(c => w.Line(1, $"{c.Type}\t{c.Status}\t{c.Reason}"));
    }

    private static string IntOrString(Google.Protobuf.WellKnownTypes.Value? value, string fallback) => value?.KindCase switch
    {
        Google.Protobuf.WellKnownTypes.Value.KindOneofCase.NumberValue => ((long)value.NumberValue).ToString(),
        Google.Protobuf.WellKnownTypes.Value.KindOneofCase.StringValue => value.StringValue,
        _ => fallback,
    };
}
