using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Printing;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Api;
using KubeMesh.Kmctl.Cli;
using KubeMesh.Kmctl.Printing;

namespace KubeMesh.Kmctl.Commands;

/// <summary>kubectl get: tables per kind, -o wide|yaml|json|name, label/field selectors, -L, --show-labels and -w.</summary>
public sealed class GetCommand : ICommand
{
    public string Name => "get";

    public IReadOnlyList<FlagSpec> Flags { get; } =
    [
        FlagSpec.Value("selector", 'l'), FlagSpec.Value("label-columns", 'L'), FlagSpec.Bool("show-labels"),
        FlagSpec.Value("output", 'o'), FlagSpec.Bool("watch", 'w'), FlagSpec.Value("field-selector"), FlagSpec.Bool("no-headers"),
        FlagSpec.Value("chunk-size"),
    ];

    public async Task<int> RunAsync(KmctlContext context, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var targets = ResourceTarget.Parse(args.Positionals);
        if (targets.Count == 0)
        {
            throw new CommandException("error: You must specify the type of resource to get. Use \"kmctl api-resources\" for a complete list of supported resources.");
        }

        var output = OutputFormat.Parse(args.Value("output"));
        // kubectl's --chunk-size: lists come in pages of this many objects, read at one revision (0: in one piece).
        var chunkSize = args.Int("chunk-size") ?? 500;
        if (chunkSize < 0)
        {
            throw new CommandException($"error: --chunk-size: must be 0 or more, got {chunkSize}");
        }

        var failed = false;
        List<(ResourceKind Kind, IReadOnlyList<IMessage> Items, string ResourceVersion)> results = [];
        foreach (var target in targets)
        {
            if (target.Names.Count == 0)
            {
                var list = await context.Api.ListAsync(target.Kind, ListRequestFor(context, target.Kind, chunkSize));
                var items = target.Kind == ResourceKinds.Event ? list.Items.OrderBy(LastSeen).ToList() : list.Items;
                results.Add((target.Kind, items, list.ResourceVersion));
                continue;
            }

            List<IMessage> found = [];
            foreach (var name in target.Names)
            {
                try
                {
                    found.Add(await context.Api.GetAsync(target.Kind, context.Namespace, name));
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
                {
                    await context.Err.WriteLineAsync(ApiErrors.NotFound(target.Kind, name));
                    failed = true;
                }
            }

            results.Add((target.Kind, found, ""));
        }

        var single = targets.Count == 1 && targets[0].Names.Count == 1;
        Print(context, results, output, single, targets.Any(t => t.Names.Count > 0));
        if (args.Bool("watch"))
        {
            if (targets.Count != 1)
            {
                throw new CommandException("error: you may only specify a single resource type");
            }

            await WatchAsync(context, targets[0], results[0].ResourceVersion, output, cancellationToken);
        }

        return failed ? 1 : 0;
    }

    private static void Print(KmctlContext context, List<(ResourceKind Kind, IReadOnlyList<IMessage> Items, string ResourceVersion)> results, OutputFormat output, bool single, bool named)
    {
        var all = results.SelectMany(r => r.Items.Select(i => (r.Kind, Object: i))).ToList();
        if (all.Count == 0)
        {
            if (!named && output.Kind is OutputKind.Table)
            {
                var scoped = results.Any(r => r.Kind.Namespaced) && !context.AllNamespaces;
                context.Err.WriteLine(scoped ? $"No resources found in {context.Namespace} namespace." : "No resources found");
            }

            if (output.Kind is OutputKind.Yaml or OutputKind.Json && !single)
            {
                context.Out.Write(output.Render(ObjectPrinter.Document([], asList: true)));
            }
            else if (output.Kind is OutputKind.JsonPath && !single)
            {
                context.Out.Write(output.RenderTemplate(ObjectPrinter.Document([], asList: true)));
            }

            return;
        }

        switch (output.Kind)
        {
            case OutputKind.Name:
                foreach (var (kind, obj) in all)
                {
                    context.Out.WriteLine(ObjectPrinter.Name(kind, obj));
                }

                break;
            case OutputKind.Yaml or OutputKind.Json:
                context.Out.Write(output.Render(ObjectPrinter.Document(all, asList: !single)));
                break;
            case OutputKind.JsonPath:
                context.Out.Write(output.RenderTemplate(ObjectPrinter.Document(all, asList: !single)));
                break;
            case OutputKind.CustomColumns:
                context.Out.Write(output.RenderColumns(all.Select(o => ObjectPrinter.ToNode(o.Kind, o.Object)), context.Args.Bool("no-headers")));
                break;
            default:
                var blocks = results.Where(r => r.Items.Count > 0)
                    .Select(r => TablePrinter.Print(r.Kind, r.Items, TableOptionsFor(context, r.Kind, output, withKind: results.Count > 1), context.Now));
                context.Out.Write(string.Join("\n", blocks));
                break;
        }
    }

    private static async Task WatchAsync(KmctlContext context, ResourceTarget target, string resourceVersion, OutputFormat output, CancellationToken cancellationToken)
    {
        var kind = target.Kind;
        var request = new WatchRequest
        {
            Namespace = kind.Namespaced && !context.AllNamespaces ? context.Namespace : "",
            LabelSelector = context.Args.Value("selector") ?? "",
            FieldSelector = target.Names.Count == 1 ? $"metadata.name={target.Names[0]}" : context.Args.Value("field-selector") ?? "",
            ResourceVersion = resourceVersion,
        };
        var options = TableOptionsFor(context, kind, output, withKind: false) with { NoHeaders = true };
        await foreach (var change in context.Api.WatchAsync(kind, request, cancellationToken))
        {
            if (change.Type == "BOOKMARK" || (target.Names.Count > 1 && !target.Names.Contains(kind.Metadata(change.Object).Name)))
            {
                continue;
            }

            var text = output.Kind switch
            {
                OutputKind.Name => ObjectPrinter.Name(kind, change.Object) + "\n",
                OutputKind.Yaml => "---\n" + output.Render(ObjectPrinter.ToNode(kind, change.Object)),
                OutputKind.Json => output.Render(ObjectPrinter.ToNode(kind, change.Object)),
                OutputKind.JsonPath => output.RenderTemplate(ObjectPrinter.ToNode(kind, change.Object)),
                OutputKind.CustomColumns => output.RenderColumns([ObjectPrinter.ToNode(kind, change.Object)], noHeaders: true),
                _ => TablePrinter.Print(kind, [change.Object], options, context.Now),
            };
            await context.Out.WriteAsync(text);
            await context.Out.FlushAsync(cancellationToken);
        }
    }

    private static TableOptions TableOptionsFor(KmctlContext context, ResourceKind kind, OutputFormat output, bool withKind) => new(
        Wide: output.Kind == OutputKind.Wide,
        WithNamespace: context.AllNamespaces && kind.Namespaced,
        ShowLabels: context.Args.Bool("show-labels"),
        LabelColumns: context.Args.CommaValues("label-columns"),
        WithKind: withKind,
        NoHeaders: context.Args.Bool("no-headers"));

    private static ListRequest ListRequestFor(KmctlContext context, ResourceKind kind, int chunkSize) => new()
    {
        Limit = chunkSize,
        Namespace = kind.Namespaced && !context.AllNamespaces ? context.Namespace : "",
        LabelSelector = context.Args.Value("selector") ?? "",
        FieldSelector = context.Args.Value("field-selector") ?? "",
    };

    private static DateTimeOffset LastSeen(IMessage obj)
    {
        var ev = (Event)obj;
        var time = ev.LastTimestamp ?? ev.FirstTimestamp ?? ev.Metadata?.CreationTimestamp;
        return time?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;
    }
}
