using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Cli;
using KubeMesh.Kmctl.Describe;

namespace KubeMesh.Kmctl.Commands;

/// <summary>kubectl describe KIND [NAME...] (or -l SELECTOR): sections per object, then the events that involve it.</summary>
public sealed class DescribeCommand : ICommand
{
    public string Name => "describe";

    public IReadOnlyList<FlagSpec> Flags { get; } = [FlagSpec.Value("selector", 'l'), FlagSpec.Value("show-events")];

    public async Task<int> RunAsync(KmctlContext context, CancellationToken cancellationToken)
    {
        var targets = ResourceTarget.Parse(context.Args.Positionals);
        if (targets.Count == 0)
        {
            throw new CommandException("error: You must specify the type of resource to describe. Use \"kmctl api-resources\" for a complete list of supported resources.");
        }

        List<string> descriptions = [];
        foreach (var target in targets)
        {
            var objects = target.Names.Count > 0
                ? await Task.WhenAll(target.Names.Select(n => context.GetAsync(target.Kind, n)))
                : (await context.Api.ListAsync(target.Kind, new ListRequest
                {
                    Namespace = target.Kind.Namespaced && !context.AllNamespaces ? context.Namespace : "",
                    LabelSelector = context.Args.Value("selector") ?? "",
                })).Items.ToArray();
            foreach (var obj in objects)
            {
                var events = context.Args.Value("show-events") is "false" ? [] : await EventsForAsync(context, target.Kind, obj);
                descriptions.Add(ObjectDescriber.Describe(target.Kind, obj, events, context.Now));
            }
        }

        if (descriptions.Count == 0)
        {
            await context.Err.WriteLineAsync($"No resources found in {context.Namespace} namespace.");
        }

        await context.Out.WriteAsync(string.Join("\n\n", descriptions.Select(d => d.TrimEnd('\n'))) + (descriptions.Count > 0 ? "\n" : ""));
        return 0;
    }

    private static async Task<IReadOnlyList<Event>> EventsForAsync(KmctlContext context, ResourceKind kind, Google.Protobuf.IMessage obj)
    {
        var meta = kind.Metadata(obj);
        var list = await context.Api.ListAsync(ResourceKinds.Event, new ListRequest
        {
            Namespace = kind.Namespaced ? meta.Namespace : "",
            FieldSelector = $"involvedObject.name={meta.Name},involvedObject.kind={kind.Kind}",
        });
        return list.Items.Cast<Event>()
            .Where(e => e.InvolvedObject?.Name == meta.Name && e.InvolvedObject.Kind == kind.Kind
                && (e.InvolvedObject.Uid.Length == 0 || meta.Uid.Length == 0 || e.InvolvedObject.Uid == meta.Uid))
            .ToList();
    }
}
