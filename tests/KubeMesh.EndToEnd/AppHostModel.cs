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
