using KubeMesh.Api.Core.V1;

namespace KubeMesh.Kubelet.Pods;

/// <summary>The downward API's fieldRef paths (podFieldSelectorRuntimeValue and ExtractFieldPathAsString).</summary>
public static class FieldPath
{
    /// <exception cref="ContainerConfigException">The path is not one the downward API supports.</exception>
    public static string Resolve(Pod pod, string path, string podIp, string hostIp)
    {
        var meta = pod.Metadata;
        switch (path)
        {
            case "metadata.name":
                return meta.Name;
            case "metadata.namespace":
                return meta.Namespace;
            case "metadata.uid":
                return meta.Uid;
            case "spec.nodeName":
                return pod.Spec.NodeName;
            case "spec.serviceAccountName":
                return pod.Spec.ServiceAccountName;
            case "status.podIP":
            case "status.podIPs":
                return podIp;
            case "status.hostIP":
            case "status.hostIPs":
                return hostIp;
            case "metadata.labels":
                return Format(meta.Labels);
            case "metadata.annotations":
                return Format(meta.Annotations);
        }

        if (TrySubscript(path, "metadata.labels", out var label))
        {
            return meta.Labels.GetValueOrDefault(label) ?? "";
        }

        if (TrySubscript(path, "metadata.annotations", out var annotation))
        {
            return meta.Annotations.GetValueOrDefault(annotation) ?? "";
        }

        throw new ContainerConfigException($"unsupported fieldPath: {path}");
    }

    /// <summary>key="value" lines sorted by key, as the downward API writes labels and annotations.</summary>
    public static string Format(IEnumerable<KeyValuePair<string, string>> pairs) =>
        string.Join('\n', pairs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}=\"{p.Value.Replace("\"", "\\\"", StringComparison.Ordinal)}\""));

    private static bool TrySubscript(string path, string prefix, out string key)
    {
        key = "";
        if (path.StartsWith(prefix + "['", StringComparison.Ordinal) && path.EndsWith("']", StringComparison.Ordinal))
        {
            key = path[(prefix.Length + 2)..^2];
            return true;
        }

        return false;
    }
}
