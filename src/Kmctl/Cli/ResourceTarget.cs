using KubeMesh.Api.Resources;

namespace KubeMesh.Kmctl.Cli;

/// <summary>One kind named on the command line and the object names given for it (none means "all").</summary>
public sealed record ResourceTarget(ResourceKind Kind, IReadOnlyList<string> Names)
{
    /// <summary>
    /// kubectl's resource arguments: "pods", "pods,svc", "pod nginx web", or TYPE/NAME pairs ("pod/nginx deploy/web").
    /// </summary>
    public static IReadOnlyList<ResourceTarget> Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            return [];
        }

        if (args.Any(a => a.Contains('/')))
        {
            List<ResourceTarget> targets = [];
            foreach (var arg in args)
            {
                var slash = arg.IndexOf('/');
                if (slash <= 0 || slash == arg.Length - 1)
                {
                    throw new CommandException($"error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kmctl get resource/<resource_name>' instead of 'kmctl get resource resource/<resource_name>'");
                }

                var kind = KmctlContext.ResolveKind(arg[..slash]);
                var name = arg[(slash + 1)..];
                var existing = targets.FindIndex(t => t.Kind == kind);
                if (existing >= 0)
                {
                    targets[existing] = targets[existing] with { Names = [.. targets[existing].Names, name] };
                }
                else
                {
                    targets.Add(new ResourceTarget(kind, [name]));
                }
            }

            return targets;
        }

        var names = args.Skip(1).ToList();
        return args[0].Split(',', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(KmctlContext.ResolveKinds).Distinct()
            .Select(kind => new ResourceTarget(kind, names)).ToList();
    }
}
