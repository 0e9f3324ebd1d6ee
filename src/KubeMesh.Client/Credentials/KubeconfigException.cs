namespace KubeMesh.Client.Credentials;

/// <summary>A kubeconfig that cannot be used, naming the file and what is wrong with it.</summary>
public sealed class KubeconfigException(string path, string problem) : Exception($"kubeconfig {path}: {problem}")
{
    public string Path { get; } = path;
}
