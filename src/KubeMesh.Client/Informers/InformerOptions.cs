namespace KubeMesh.Client;

/// <summary>
/// What an informer lists and watches. Equal options share one informer in a <see cref="SharedInformerFactory"/>.
/// A kubelet, for example, watches only its own pods with FieldSelector = "spec.nodeName=&lt;node&gt;".
/// </summary>
public sealed record InformerOptions
{
    public static InformerOptions Default { get; } = new();

    /// <summary>Empty for all namespaces.</summary>
    public string Namespace { get; init; } = "";

    public string LabelSelector { get; init; } = "";

    public string FieldSelector { get; init; } = "";

    /// <summary>First wait after a failed list or watch; doubles per consecutive failure (client-go: 800 ms).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(800);

    /// <summary>Longest wait between attempts (client-go: 30 s).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The scope in words, for logs: "namespace kube-node-lease, spec.nodeName=node1"; empty for everything.</summary>
    public string Describe() => string.Join(", ", new[]
    {
        Namespace.Length > 0 ? "namespace " + Namespace : "",
        LabelSelector,
        FieldSelector,
    }.Where(s => s.Length > 0));
}
