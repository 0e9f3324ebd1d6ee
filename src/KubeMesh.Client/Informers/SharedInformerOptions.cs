namespace KubeMesh.Client;

/// <summary>Settings of a process's <see cref="SharedInformerFactory"/>, from the configuration section "Informers".</summary>
public sealed class SharedInformerOptions
{
    public const string Section = "Informers";

    /// <summary>
    /// How often every handler is given each cached object again as an update (client-go's resync), so a key a
    /// controller lost is looked at again; zero for never. kube-controller-manager's --min-resync-period.
    /// </summary>
    public TimeSpan ResyncPeriod { get; set; }
}
