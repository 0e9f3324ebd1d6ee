using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;

namespace KubeMesh.Kmctl.Describe;

/// <summary>The container, volume and template sections kubectl describe prints for pods and pod templates.</summary>
public static class PodTemplateDescriber
{
    public static string Describe(PodTemplateSpec template)
    {
        var w = new DescriptionWriter();
        w.Line(0, "Pod Template:");
        w.Map(1, "Labels", template.Metadata?.Labels);
        w.Map(1, "Annotations", template.Metadata?.Annotations);
        if (template.Spec is { } spec)
        {
            Containers(w, 1, "Init Containers", spec.InitContainers, []);
            Containers(w, 1, "Containers", spec.Containers, []);
            Volumes(w, 1, spec.Volumes);
        }

        return w.ToString();
    }

    public static void Containers(DescriptionWriter w, int level, string title, IEnumerable<Container> containers, IReadOnlyList<ContainerStatus> statuses)
    {
        var list = containers.ToList();
        if (list.Count == 0)
        {
            if (title == "Containers")
            {
                w.Field(level, title, "<none>");
            }

            return;
        }

        w.Line(level, title + ":");
        foreach (var c in list)
        {
            var status = statuses.FirstOrDefault(s => s.Name == c.Name);
            w.Line(level + 1, c.Name + ":");
            if (status is not null)
            {
                w.Line(level + 2, $"Container ID:\t{status.ContainerId}");
            }

            w.Line(level + 2, $"Image:\t{c.Image}");
            if (status is not null)
            {
                w.Line(level + 2, $"Image ID:\t{status.ImageId}");
            }

            var ports = c.Ports.Select(p => $"{p.ContainerPort_}/{(p.Protocol.Length == 0 ? "TCP" : p.Protocol)}").ToList();
            var hostPorts = c.Ports.Select(p => $"{p.HostPort}/{(p.Protocol.Length == 0 ? "TCP" : p.Protocol)}").ToList();
            w.Field(level + 2, "Port", string.Join(", ", ports));
            w.Field(level + 2, "Host Port", string.Join(", ", hostPorts));
            List(w, level + 2, "Command", c.Command);
            List(w, level + 2, "Args", c.Args);
            if (status is not null)
            {
                State(w, level + 2, "State", status.State);
                if (status.LastState is { } last && (last.Running ?? (object?)last.Terminated ?? last.Waiting) is not null)
                {
                    State(w, level + 2, "Last State", last);
                }

                w.Line(level + 2, $"Ready:\t{(status.Ready ? "True" : "False")}");
                w.Line(level + 2, $"Restart Count:\t{status.RestartCount}");
            }

            Resources(w, level + 2, "Limits", c.Resources?.Limits);
            Resources(w, level + 2, "Requests", c.Resources?.Requests);
            Probe(w, level + 2, "Liveness", c.LivenessProbe);
            Probe(w, level + 2, "Readiness", c.ReadinessProbe);
            Probe(w, level + 2, "Startup", c.StartupProbe);
            Environment(w, level + 2, c);
            if (c.VolumeMounts.Count == 0)
            {
                w.Field(level + 2, "Mounts", "<none>");
            }
            else
            {
                w.Line(level + 2, "Mounts:");
                foreach (var m in c.VolumeMounts)
                {
                    w.Line(level + 3, $"{m.MountPath} from {m.Name} ({(m.ReadOnly ? "ro" : "rw")}{(m.SubPath.Length > 0 ? $",path=\"{m.SubPath}\"" : "")})");
                }
            }
        }
    }

    public static void Volumes(DescriptionWriter w, int level, IEnumerable<Volume> volumes)
    {
        var list = volumes.ToList();
        if (list.Count == 0)
        {
            w.Field(level, "Volumes", "<none>");
            return;
        }

        w.Line(level, "Volumes:");
        foreach (var v in list)
        {
            w.Line(level + 1, v.Name + ":");
            var (type, details) = v switch
            {
                { HostPath: { } h } => ("HostPath (bare host directory volume)", new[] { ("Path", h.Path), ("HostPathType", h.Type) }),
                { EmptyDir: { } e } => ("EmptyDir (a temporary directory that shares a pod's lifetime)", new[] { ("Medium", e.Medium), ("SizeLimit", e.SizeLimit.Length > 0 ? e.SizeLimit : "<unset>") }),
                { ConfigMap: { } cm } => ("ConfigMap (a volume populated by a ConfigMap)", new[] { ("Name", cm.Name), ("Optional", cm.HasOptional && cm.Optional ? "true" : "false") }),
                { Secret: { } s } => ("Secret (a volume populated by a Secret)", new[] { ("SecretName", s.SecretName), ("Optional", s.HasOptional && s.Optional ? "true" : "false") }),
                { DownwardApi: { } d } => ("DownwardAPI (a volume populated by information about the pod)", d.Items.Select(i => (i.FieldRef?.FieldPath ?? i.ResourceFieldRef?.Resource ?? "", "-> " + i.Path)).ToArray()),
                { PersistentVolumeClaim: { } p } => ("PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)", new[] { ("ClaimName", p.ClaimName), ("ReadOnly", p.ReadOnly ? "true" : "false") }),
                _ => ("<unknown>", Array.Empty<(string, string)>()),
            };
            w.Line(level + 2, $"Type:\t{type}");
            foreach (var (label, value) in details)
            {
                w.Line(level + 2, value.StartsWith("-> ", StringComparison.Ordinal) ? $"{label} {value}" : $"{label}:\t{value}");
            }
        }
    }

    private static void State(DescriptionWriter w, int level, string label, ContainerState? state)
    {
        switch (state)
        {
            case { Running: { } r }:
                w.Line(level, $"{label}:\tRunning");
                w.Line(level + 1, $"Started:\t{Time(r.StartedAt)}");
                break;
            case { Terminated: { } t }:
                w.Line(level, $"{label}:\tTerminated");
                w.Line(level + 1, $"Reason:\t{t.Reason}");
                if (t.Message.Length > 0)
                {
                    w.Line(level + 1, $"Message:\t{t.Message}");
                }

                w.Line(level + 1, $"Exit Code:\t{t.ExitCode}");
                w.Line(level + 1, $"Started:\t{Time(t.StartedAt)}");
                w.Line(level + 1, $"Finished:\t{Time(t.FinishedAt)}");
                break;
            case { Waiting: { } wt }:
                w.Line(level, $"{label}:\tWaiting");
                w.Line(level + 1, $"Reason:\t{wt.Reason}");
                break;
            default:
                w.Line(level, $"{label}:\tWaiting");
                break;
        }
    }

    private static void List(DescriptionWriter w, int level, string label, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        w.Line(level, label + ":");
        foreach (var value in values)
        {
            w.Line(level + 1, value.Replace("\n", "\n" + new string(' ', (level + 1) * 2)));
        }
    }

    private static void Resources(DescriptionWriter w, int level, string label, IDictionary<string, string>? values)
    {
        if (values is null || values.Count == 0)
        {
            return;
        }

        w.Line(level, label + ":");
        foreach (var (key, value) in values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.Line(level + 1, $"{key}:\t{value}");
        }
    }

    private static void Probe(DescriptionWriter w, int level, string label, Probe? probe)
    {
        if (probe is null)
        {
            return;
        }

        var action = probe switch
        {
            { Exec: { } e } => $"exec [{string.Join(" ", e.Command)}]",
            { HttpGet: { } h } => $"http-get {(h.Scheme.Length > 0 ? h.Scheme.ToLowerInvariant() : "http")}://{(h.Host.Length > 0 ? h.Host : "")}:{PortText(h.Port)}{h.Path}",
            { TcpSocket: { } t } => $"tcp-socket {t.Host}:{PortText(t.Port)}",
            _ => "unknown",
        };
        w.Line(level, $"{label}:\t{action} delay={probe.InitialDelaySeconds}s timeout={Or(probe.TimeoutSeconds, 1)}s period={Or(probe.PeriodSeconds, 10)}s #success={Or(probe.SuccessThreshold, 1)} #failure={Or(probe.FailureThreshold, 3)}");
    }

    private static void Environment(DescriptionWriter w, int level, Container c)
    {
        foreach (var from in c.EnvFrom)
        {
            var (source, name, optional) = from.ConfigMapRef is { } cm ? ("ConfigMap", cm.Name, cm.HasOptional && cm.Optional) : ("Secret", from.SecretRef?.Name ?? "", from.SecretRef is { HasOptional: true, Optional: true });
            w.Line(level, $"Environment Variables from:");
            w.Line(level + 1, $"{name}\t{source}\tOptional: {(optional ? "true" : "false")}");
        }

        if (c.Env.Count == 0)
        {
            w.Field(level, "Environment", "<none>");
            return;
        }

        w.Line(level, "Environment:");
        foreach (var e in c.Env)
        {
            var value = e.ValueFrom switch
            {
                { FieldRef: { } f } => $" ({f.ApiVersion}:{f.FieldPath})",
                { ResourceFieldRef: { } r } => $" ({r.Resource})",
                { ConfigMapKeyRef: { } k } => $"<set to the key '{k.Key}' of config map '{k.Name}'>",
                { SecretKeyRef: { } k } => $"<set to the key '{k.Key}' in secret '{k.Name}'>",
                _ => e.Value,
            };
            w.Line(level + 1, $"{e.Name}:\t{value}");
        }
    }

    private static string PortText(Value? port) => port?.KindCase switch
    {
        Value.KindOneofCase.NumberValue => ((long)port.NumberValue).ToString(),
        Value.KindOneofCase.StringValue => port.StringValue,
        _ => "",
    };

    private static int Or(int value, int fallback) => value == 0 ? fallback : value;

    public static string Time(Timestamp? t) =>
        t is null ? "<unset>" : t.ToDateTimeOffset().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", System.Globalization.CultureInfo.InvariantCulture);
}
