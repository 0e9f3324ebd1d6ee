using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace KubeMesh.EndToEnd;

/// <summary>Reads the AppHost's model without starting it: what a resource would be given when run.</summary>
internal static class AppHostModel
{
    /// <summary>The environment the resource's callbacks set, values unevaluated (strings, references, expressions).</summary>
    public static async Task<Dictionary<string, object>> EnvironmentAsync(IResourceWithEnvironment resource, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), resource, environment, cancellationToken);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return environment;
    }
}

/// <summary>
/// A data directory of its own for a test that only builds the AppHost's model: building it writes the cluster's keys
/// and certificates, and tests running at once must neither share those files nor touch the repository's .kubemesh,
/// which is the user's cluster. Deleted on dispose (declare it before the builder, so the builder goes first). The
/// AppHost's suspended entry point may still write its kubeconfig and PKI there after the builder is disposed, so
/// each new one also removes those of earlier runs more than ten minutes old.
/// </summary>
internal sealed class ModelDataDirectory : IDisposable
{
    private const string Prefix = "kubemesh-model-";

    public ModelDataDirectory()
    {
        foreach (var stale in Directory.EnumerateDirectories(System.IO.Path.GetTempPath(), Prefix + "*"))
        {
            if (Directory.GetLastWriteTimeUtc(stale) < DateTime.UtcNow.AddMinutes(-10))
            {
                TryDelete(stale);
            }
        }
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), Prefix + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The AppHost's arguments, with this directory as its Cluster:DataDirectory.</summary>
    public string[] Args(params string[] args) => [.. args, $"--Cluster:DataDirectory={Path}"];

    public void Dispose() => TryDelete(Path);

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone already, or still being written: a later run removes it.
        }
    }
}
