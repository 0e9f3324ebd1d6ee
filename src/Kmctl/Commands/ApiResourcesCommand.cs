using Grpc.Core;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Cli;
using KubeMesh.Kmctl.Printing;

namespace KubeMesh.Kmctl.Commands;

/// <summary>kubectl api-resources: NAME SHORTNAMES APIVERSION NAMESPACED KIND from the api-server's discovery.</summary>
public sealed class ApiResourcesCommand : ICommand
{
    public string Name => "api-resources";

    public IReadOnlyList<FlagSpec> Flags { get; } = [FlagSpec.Value("namespaced"), FlagSpec.Value("output", 'o'), FlagSpec.Bool("no-headers")];

    public async Task<int> RunAsync(KmctlContext context, CancellationToken cancellationToken)
    {
        IEnumerable<ApiResource> resources;
        try
        {
            resources = (await context.Api.Discovery.ListResourcesAsync(new ListResourcesRequest(), cancellationToken: cancellationToken)).Resources;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
        {
            resources = ResourceKinds.All.Select(FromKind);
        }

        if (context.Args.Has("namespaced"))
        {
            var namespaced = context.Args.Bool("namespaced");
            resources = resources.Where(r => r.Namespaced == namespaced);
        }

        var sorted = resources.OrderBy(Group, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        var output = context.Args.Value("output");
        if (output == "name")
        {
            foreach (var r in sorted)
            {
                var group = Group(r);
                await context.Out.WriteLineAsync(group.Length == 0 ? r.Name : $"{r.Name}.{group}");
            }

            return 0;
        }

        var wide = output == "wide";
        List<IReadOnlyList<string>> rows = [];
        if (!context.Args.Bool("no-headers"))
        {
            rows.Add(wide ? ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS"] : ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]);
        }

        foreach (var r in sorted)
        {
            List<string> row = [r.Name, string.Join(",", r.ShortNames), r.ApiVersion, r.Namespaced ? "true" : "false", r.Kind];
            if (wide)
            {
                row.Add("[" + string.Join(" ", r.Verbs) + "]");
            }

            rows.Add(row);
        }

        await context.Out.WriteAsync(TableWriter.Format(rows));
        return 0;
    }

    private static string Group(ApiResource r) => r.ApiVersion.Contains('/') ? r.ApiVersion[..r.ApiVersion.LastIndexOf('/')] : "";

    private static ApiResource FromKind(ResourceKind kind) => new()
    {
        Name = kind.Plural,
        ShortNames = { kind.ShortNames },
        ApiVersion = kind.ApiVersion,
        Namespaced = kind.Namespaced,
        Kind = kind.Kind,
        Verbs = { "create", "delete", "get", "list", "update", "watch" },
        GrpcService = kind.Service.FullName,
    };
}
