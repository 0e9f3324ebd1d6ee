using System.Reflection;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Kmctl.Cli;

namespace KubeMesh.Kmctl.Commands;

/// <summary>kubectl version: the client's version and, unless --client, the api-server it reaches.</summary>
public sealed class VersionCommand : ICommand
{
    public string Name => "version";

    public IReadOnlyList<FlagSpec> Flags { get; } = [FlagSpec.Bool("client")];

    public static string ClientVersion =>
        "v" + (typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? typeof(VersionCommand).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    public async Task<int> RunAsync(KmctlContext context, CancellationToken cancellationToken)
    {
        await context.Out.WriteLineAsync($"Client Version: {ClientVersion}");
        if (context.Args.Bool("client"))
        {
            return 0;
        }

        var resources = await context.Api.Discovery.ListResourcesAsync(new ListResourcesRequest(), cancellationToken: cancellationToken);
        await context.Out.WriteLineAsync($"Server: {context.ServerAddress} ({resources.Resources.Count} resource types)");
        return 0;
    }
}
