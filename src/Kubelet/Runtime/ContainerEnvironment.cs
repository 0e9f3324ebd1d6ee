namespace KubeMesh.Kubelet.Runtime;

/// <summary>The environment a container starts with: image defaults, then the container's own env.</summary>
internal static class ContainerEnvironment
{
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Tells servers in the container which address is theirs (see ContainerLaunch on networking).</summary>
    public const string PodIpVariable = "KUBEMESH_POD_IP";

    public static Dictionary<string, string> Build(PodSandbox sandbox, IReadOnlyDictionary<string, string> imageEnv,
        IReadOnlyList<KeyValuePair<string, string>> containerEnv)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = DefaultPath,
            ["HOME"] = "/root",
            ["HOSTNAME"] = sandbox.Hostname,
            [PodIpVariable] = sandbox.PodIp.ToString(),
        };
        foreach (var (name, value) in imageEnv)
        {
            env[name] = value;
        }

        foreach (var (name, value) in containerEnv)
        {
            env[name] = value;
        }

        return env;
    }

    /// <summary>The pod's /etc/hosts: "localhost" is the pod's own address (see ContainerLaunch).</summary>
    public static string HostsFile(PodSandbox sandbox) =>
        $"# Kubernetes-managed hosts file (KubeMesh: localhost is this pod's IP).\n" +
        $"{sandbox.PodIp}\tlocalhost {sandbox.Hostname}\n" +
        "fe00::0\tip6-localnet\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n";
}
