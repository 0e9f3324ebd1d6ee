using KubeMesh.Client;
using KubeMesh.Client.Credentials;

namespace KubeMesh.Kmctl.Api;

/// <summary>
/// How kmctl finds its kubeconfig, as kubectl does: --kubeconfig, then the first existing file of $KUBECONFIG, then the
/// default path, which for kmctl is the admin kubeconfig the AppHost writes (.kubemesh/kubeconfig in the current
/// directory or the nearest parent that has one). --server or KUBEMESH_SERVER, when given, replaces only the server.
/// Without any kubeconfig kmctl connects in cleartext to --server, KUBEMESH_SERVER or the default replicas.
/// </summary>
public static class KubeconfigSearch
{
    public const string EnvironmentVariable = "KUBECONFIG";

    public static readonly string DefaultPath = Path.Combine(".kubemesh", "kubeconfig");

    /// <exception cref="KubeconfigException">--kubeconfig names a file that is missing or unusable.</exception>
    public static ApiServerConnection Resolve(string? kubeconfigFlag, string? serverFlag)
    {
        var connection = !string.IsNullOrWhiteSpace(kubeconfigFlag)
            ? (File.Exists(kubeconfigFlag) ? Kubeconfig.Load(kubeconfigFlag) : throw new KubeconfigException(kubeconfigFlag, "no such file"))
            : Found() is { } path ? Kubeconfig.LoadIfGrpc(path) : null;
        var serverGiven = !string.IsNullOrWhiteSpace(serverFlag) || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(KubeMeshClient.ServerEnvironmentVariable));
        if (connection is null)
        {
            return new ApiServerConnection(ServerAddress.Resolve(serverFlag));
        }

        return connection with { Address = serverGiven ? ServerAddress.Resolve(serverFlag) : ServerAddress.Resolve(connection.Address) };
    }

    /// <summary>The kubeconfig kmctl uses: the one --kubeconfig names, else the first found, else none.</summary>
    public static string? Locate(string? kubeconfigFlag) => !string.IsNullOrWhiteSpace(kubeconfigFlag) ? kubeconfigFlag : Found();

    private static string? Found()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(File.Exists);
        }

        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, DefaultPath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
