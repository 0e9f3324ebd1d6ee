namespace KubeMesh.Kubelet.Server;

/// <summary>Who may call the kubelet's API once its port speaks TLS (Kubelet:Tls:AuthorizedClients).</summary>
public sealed class KubeletTlsOptions
{
    public const string Section = "Kubelet:Tls";

    /// <summary>The api-server's kubelet client certificate's user, as kubeadm names it.</summary>
    public const string ApiServerClient = "kube-apiserver-kubelet-client";

    /// <summary>The users admitted; empty means only <see cref="ApiServerClient"/>.</summary>
    public List<string> AuthorizedClients { get; set; } = [];

    public bool Admits(string user) => AuthorizedClients.Count == 0 ? user == ApiServerClient : AuthorizedClients.Contains(user);
}
