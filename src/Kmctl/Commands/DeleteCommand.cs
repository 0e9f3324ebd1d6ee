using Grpc.Core;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Api;
using KubeMesh.Kmctl.Cli;
using KubeMesh.Kmctl.Manifests;
using KubeMesh.Kmctl.Printing;

namespace KubeMesh.Kmctl.Commands;

/// <summary>kubectl delete KIND NAME..., KIND/NAME, -f FILE, KIND -l SELECTOR, KIND --all; waits until the objects are gone.</summary>
public sealed class DeleteCommand : ICommand
{
    public string Name => "delete";

    public IReadOnlyList<FlagSpec> Flags { get; } =
    [
        FlagSpec.Value("filename", 'f'), FlagSpec.Value("selector", 'l'), FlagSpec.Bool("all"), FlagSpec.Value("grace-period"),
        FlagSpec.Bool("now"), FlagSpec.Bool("force"), FlagSpec.Value("wait"), FlagSpec.Value("timeout"), FlagSpec.Bool("ignore-not-found"),
    ];

    public async Task<int> RunAsync(KmctlContext context, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var objects = await TargetsAsync(context);
        var grace = args.Bool("now") ? 1 : args.Bool("force") ? 0 : args.Int("grace-period") is { } g and >= 0 ? g : (int?)null;
        var failed = false;
        List<(ResourceKind Kind, string Namespace, string Name, string Uid)> deleted = [];
        foreach (var (kind, ns, name) in objects)
        {
            var request = new DeleteRequest { Namespace = kind.Namespaced ? ns : "", Name = name };
            if (grace is { } seconds)
            {
                request.GracePeriodSeconds = seconds;
            }

            try
            {
                var gone = await context.Api.DeleteAsync(kind, request);
                await context.Out.WriteLineAsync($"{ObjectNames.KindWithGroup(kind)} \"{name}\" deleted");
                deleted.Add((kind, ns, name, kind.Metadata(gone).Uid));
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                if (!args.Bool("ignore-not-found"))
                {
                    await context.Err.WriteLineAsync(ApiErrors.NotFound(kind, name));
                    failed = true;
                }
            }
        }

        if (args.Value("wait") is not ("false" or "False" or "0"))
        {
            var timeout = Durations.Parse(args.Value("timeout"), TimeSpan.FromSeconds(60), "timeout");
            foreach (var (kind, ns, name, uid) in deleted)
            {
                await WaitGoneAsync(context, kind, ns, name, uid, timeout, cancellationToken);
            }
        }

        return failed ? 1 : 0;
    }

    private static async Task<IReadOnlyList<(ResourceKind Kind, string Namespace, string Name)>> TargetsAsync(KmctlContext context)
    {
        var args = context.Args;
        if (args.Values("filename").Count > 0)
        {
            return ManifestSource.Read(args.Values("filename"), Console.In)
                .SelectMany(ManifestIdentity.Read)
                .Select(id => (id.Kind, id.Namespace.Length > 0 ? id.Namespace : context.Namespace, id.Name))
                .ToList();
        }

        var targets = ResourceTarget.Parse(args.Positionals);
        if (targets.Count == 0)
        {
            throw new CommandException("error: You must provide one or more resources by argument or filename.");
        }

        List<(ResourceKind, string, string)> objects = [];
        foreach (var target in targets)
        {
            if (target.Names.Count > 0)
            {
                objects.AddRange(target.Names.Select(n => (target.Kind, context.Namespace, n)));
                continue;
            }

            if (!args.Has("selector") && !args.Bool("all"))
            {
                throw new CommandException("error: resource(s) were provided, but no name was specified");
            }

            var list = await context.Api.ListAsync(target.Kind, new ListRequest
            {
                Namespace = target.Kind.Namespaced && !context.AllNamespaces ? context.Namespace : "",
                LabelSelector = args.Value("selector") ?? "",
            });
            objects.AddRange(list.Items.Select(o => target.Kind.Metadata(o)).Select(m => (target.Kind, m.Namespace, m.Name)));
        }

        if (objects.Count == 0)
        {
            await context.Err.WriteLineAsync("No resources found");
        }

        return objects;
    }

    /// <summary>
    /// Waits until the deleted object is gone, as kubectl does by UID: a controller may already have made a new one of
    /// the same name (a StatefulSet's pod), which is not the object that was deleted.
    /// </summary>
    private static async Task WaitGoneAsync(KmctlContext context, ResourceKind kind, string ns, string name, string uid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = context.Now + timeout;
        while (true)
        {
            try
            {
                if (kind.Metadata(await context.Api.GetAsync(kind, ns, name)).Uid != uid)
                {
                    return;
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                return;
            }

            if (context.Now >= deadline)
            {
                throw new CommandException($"error: timed out waiting for the condition on {kind.Plural}/{name}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }
}
