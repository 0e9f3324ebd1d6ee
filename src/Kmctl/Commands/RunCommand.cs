using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Cli;
using KubeMesh.Kmctl.Printing;

namespace KubeMesh.Kmctl.Commands;

/// <summary>kubectl run NAME --image IMAGE [--port] [--env] [--labels] [--restart] [--command] [-- args]: one Pod labelled run=NAME.</summary>
public sealed class RunCommand : ICommand
{
    public string Name => "run";

    public IReadOnlyList<FlagSpec> Flags { get; } =
    [
        FlagSpec.Value("image"), FlagSpec.Value("port"), FlagSpec.Value("env"), FlagSpec.Value("labels", 'l'),
        FlagSpec.Value("restart"), FlagSpec.Bool("command"), FlagSpec.Value("image-pull-policy"), FlagSpec.Value("dry-run"),
        FlagSpec.Value("output", 'o'),
    ];

    public async Task<int> RunAsync(KmctlContext context, CancellationToken cancellationToken)
    {
        var pod = Build(context);
        var output = OutputFormat.Parse(context.Args.Value("output"));
        if (context.Args.Value("dry-run") is "client" or "true")
        {
            context.Out.Write(output.Kind is OutputKind.Yaml or OutputKind.Json
                ? output.Render(ObjectPrinter.ToNode(ResourceKinds.Pod, pod))
                : $"pod/{pod.Metadata.Name} created (dry run)\n");
            return 0;
        }

        try
        {
            await context.Api.CreateAsync(ResourceKinds.Pod, pod);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
        {
            throw new CommandException($"Error from server (AlreadyExists): pods \"{pod.Metadata.Name}\" already exists");
        }

        await context.Out.WriteLineAsync($"pod/{pod.Metadata.Name} created");
        return 0;
    }

    public static Pod Build(KmctlContext context)
    {
        var args = context.Args;
        if (args.Positionals.Count != 1)
        {
            throw new CommandException("error: NAME is required for run");
        }

        var name = args.Positionals[0];
        var image = args.Value("image") ?? throw new CommandException("error: required flag(s) \"image\" not set");
        var restart = args.Value("restart") ?? "Always";
        if (restart is not ("Always" or "OnFailure" or "Never"))
        {
            throw new CommandException($"error: invalid restart policy: {restart}");
        }

        var container = new Container { Name = name, Image = image, ImagePullPolicy = args.Value("image-pull-policy") ?? "" };
        if (args.Value("port") is { } port)
        {
            container.Ports.Add(new ContainerPort { ContainerPort_ = int.TryParse(port, out var p) && p is > 0 and < 65536 ? p : throw new CommandException($"error: invalid port \"{port}\"") });
        }

        foreach (var env in args.Values("env"))
        {
            var eq = env.IndexOf('=');
            container.Env.Add(eq > 0 ? new EnvVar { Name = env[..eq], Value = env[(eq + 1)..] } : throw new CommandException($"error: invalid env: {env}"));
        }

        if (args.AfterDashes is { Count: > 0 } rest)
        {
            (args.Bool("command") ? container.Command : container.Args).AddRange(rest);
        }

        var meta = new ObjectMeta { Name = name, Namespace = context.Namespace };
        foreach (var pair in (args.Value("labels") ?? $"run={name}").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            meta.Labels[eq > 0 ? pair[..eq] : throw new CommandException($"error: invalid label spec: {pair}")] = pair[(eq + 1)..];
        }

        return new Pod
        {
            Metadata = meta,
            Spec = new PodSpec { Containers = { container }, RestartPolicy = restart, DnsPolicy = "ClusterFirst" },
        };
    }
}
