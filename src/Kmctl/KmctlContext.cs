using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Api;
using KubeMesh.Kmctl.Cli;

namespace KubeMesh.Kmctl;

/// <summary>What every command works with: its parsed arguments, the api-server, the output streams and the clock.</summary>
public sealed class KmctlContext(ParsedArgs args, IReadOnlyList<string> commandLine, TextWriter output, TextWriter error, TimeProvider clock) : IDisposable
{
    private ApiConnection? _api;

    public ParsedArgs Args { get; } = args;

    /// <summary>The arguments as typed, for --record.</summary>
    public IReadOnlyList<string> CommandLine { get; } = commandLine;

    public TextWriter Out { get; } = output;

    public TextWriter Err { get; } = error;

    public DateTimeOffset Now => Clock.GetUtcNow();

    public TimeProvider Clock { get; } = clock;

    /// <summary>The api-server and credentials from the kubeconfig kmctl found (<see cref="KubeconfigSearch"/>).</summary>
    public KubeMesh.Client.Credentials.ApiServerConnection Connection { get; } = KubeconfigSearch.Resolve(args.Value("kubeconfig"), args.Value("server"));

    public string ServerAddress => Connection.Address;

    public ApiConnection Api => _api ??= new ApiConnection(Connection);

    public bool AllNamespaces => Args.Bool("all-namespaces");

    /// <summary>-n, else "default" (kubectl's namespace from an empty kubeconfig context).</summary>
    public string Namespace => Args.Value("namespace") is { Length: > 0 } ns ? ns : "default";

    /// <summary>A kind, or the kinds of a category: "all" is kubectl's pods, services and workloads.</summary>
    public static IEnumerable<ResourceKind> ResolveKinds(string name) =>
        string.Equals(name, "all", StringComparison.OrdinalIgnoreCase)
            ? [ResourceKinds.Pod, ResourceKinds.Service, ResourceKinds.DaemonSet, ResourceKinds.Deployment, ResourceKinds.ReplicaSet, ResourceKinds.StatefulSet, ResourceKinds.CronJob, ResourceKinds.Job]
            : [ResolveKind(name)];

    public static ResourceKind ResolveKind(string name) =>
        ResourceKinds.Find(name) ?? throw new CommandException($"error: the server doesn't have a resource type \"{name}\"");

    /// <summary>Get that reports a missing object as kubectl does.</summary>
    public async Task<IMessage> GetAsync(ResourceKind kind, string name)
    {
        try
        {
            return await Api.GetAsync(kind, Namespace, name);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            throw new CommandException(ApiErrors.NotFound(kind, name));
        }
    }

    public void Dispose() => _api?.Dispose();
}
