using System.Text;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Cli;

namespace KubeMesh.Kmctl.Commands;

/// <summary>kubectl logs POD [-c CONTAINER] [-f] [--previous] [--tail=N] [--timestamps] over PodService.GetLogs.</summary>
public sealed class LogsCommand : ICommand
{
    private const string DefaultContainerAnnotation = "kubectl.kubernetes.io/default-container";

    public string Name => "logs";

    public IReadOnlyList<FlagSpec> Flags { get; } =
    [
        FlagSpec.Value("container", 'c'), FlagSpec.Bool("follow", 'f'), FlagSpec.Bool("previous", 'p'), FlagSpec.Value("tail"),
        FlagSpec.Bool("timestamps"), FlagSpec.Value("since"),
    ];

    public async Task<int> RunAsync(KmctlContext context, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var name = args.Positionals switch
        {
            [var one] when PodName(one) is { } named => named,
            [_, var container] when !args.Has("container") => throw new CommandException($"error: only one pod name may be given; use -c {container} to choose a container"),
            [] => throw new CommandException("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command"),
            _ => throw new CommandException($"error: cannot get logs of {args.Positionals[0]}: only pods are supported"),
        };

        var pod = (Pod)await context.GetAsync(ResourceKinds.Pod, name);
        var request = new PodLogRequest
        {
            Namespace = context.Namespace,
            Name = name,
            Container = args.Value("container") ?? DefaultContainer(pod),
            Follow = args.Bool("follow"),
            Previous = args.Bool("previous"),
            Timestamps = args.Bool("timestamps"),
        };
        if (args.Int("tail") is { } tail and >= 0)
        {
            request.TailLines = tail;
        }

        if (args.Value("since") is { } since)
        {
            request.SinceSeconds = (long)Durations.Parse(since, TimeSpan.Zero, "since").TotalSeconds;
        }

        using var call = context.Api.Pods.GetLogs(request, cancellationToken: cancellationToken);
        var decoder = Encoding.UTF8.GetDecoder();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            var bytes = chunk.Data.Span;
            var chars = new char[decoder.GetCharCount(bytes, flush: false)];
            decoder.GetChars(bytes, chars, flush: false);
            await context.Out.WriteAsync(chars);
            await context.Out.FlushAsync(cancellationToken);
        }

        return 0;
    }

    /// <summary>The pod a POD or pod/NAME argument names (as logs and exec take it), or null for another TYPE/NAME.</summary>
    public static string? PodName(string argument) =>
        argument.StartsWith("pod/", StringComparison.Ordinal) || argument.StartsWith("pods/", StringComparison.Ordinal) ? argument[(argument.IndexOf('/') + 1)..]
        : argument.Contains('/') ? null
        : argument;

    /// <summary>kubectl's rule: the only container, the annotated default, or an error that lists the choices.</summary>
    public static string DefaultContainer(Pod pod)
    {
        var containers = pod.Spec?.Containers.Select(c => c.Name).ToList() ?? [];
        if (containers.Count == 1)
        {
            return containers[0];
        }

        if (pod.Metadata?.Annotations.TryGetValue(DefaultContainerAnnotation, out var preferred) == true && containers.Contains(preferred))
        {
            return preferred;
        }

        var init = pod.Spec?.InitContainers.Select(c => c.Name).ToList() ?? [];
        var message = $"error: a container name must be specified for pod {pod.Metadata?.Name}, choose one of: [{string.Join(" ", containers)}]";
        throw new CommandException(init.Count > 0 ? $"{message} or one of the init containers: [{string.Join(" ", init)}]" : message);
    }
}
