using System.Text;
using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Cli;

namespace KubeMesh.Kmctl.Commands;

/// <summary>
/// kubectl exec POD [-c CONTAINER] -- COMMAND [ARG...] over PodService.Exec: runs the command in the running
/// container, copies its stdout and stderr as they come, and exits with its exit code ("command terminated with
/// exit code N" on stderr, as kubectl). Without stdin or a terminal: -i and -t are refused.
/// </summary>
public sealed class ExecCommand : ICommand
{
    public string Name => "exec";

    public IReadOnlyList<FlagSpec> Flags { get; } =
    [
        FlagSpec.Value("container", 'c'), FlagSpec.Bool("stdin", 'i'), FlagSpec.Bool("tty", 't'), FlagSpec.Bool("quiet", 'q'),
    ];

    public async Task<int> RunAsync(KmctlContext context, CancellationToken cancellationToken)
    {
        var args = context.Args;
        if (args.Bool("stdin") || args.Bool("tty"))
        {
            throw new CommandException("error: -i/--stdin and -t/--tty are not supported: kmctl exec runs a command to completion without a terminal, e.g. kmctl exec POD -- touch /tmp/ready");
        }

        var name = args.Positionals switch
        {
            [var one] when LogsCommand.PodName(one) is { } named => named,
            [] => throw new CommandException("error: expected 'exec (POD | TYPE/NAME) [-c CONTAINER] -- COMMAND [args...]'.\nPOD or TYPE/NAME is a required argument for the exec command"),
            [_, _, ..] => throw new CommandException("error: exec [POD] [COMMAND] is not supported; use exec POD -- COMMAND [args...]"),
            _ => throw new CommandException($"error: cannot exec into {args.Positionals[0]}: only pods are supported"),
        };
        if (args.AfterDashes is not { Count: > 0 } command)
        {
            throw new CommandException("error: you must specify at least one command for the container");
        }

        var pod = (Pod)await context.GetAsync(ResourceKinds.Pod, name);
        var request = new PodExecRequest
        {
            Namespace = context.Namespace,
            Name = name,
            Container = args.Value("container") ?? LogsCommand.DefaultContainer(pod),
        };
        request.Command.AddRange(command);

        using var call = context.Api.Pods.Exec(request, cancellationToken: cancellationToken);
        var (stdout, stderr) = (Encoding.UTF8.GetDecoder(), Encoding.UTF8.GetDecoder());
        var exitCode = 0;
        await foreach (var output in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            await CopyAsync(output.Stdout, stdout, context.Out, cancellationToken);
            await CopyAsync(output.Stderr, stderr, context.Err, cancellationToken);
            if (output.HasExitCode)
            {
                exitCode = output.ExitCode;
            }
        }

        if (exitCode != 0 && !args.Bool("quiet"))
        {
            await context.Err.WriteLineAsync($"command terminated with exit code {exitCode}");
        }

        return exitCode;
    }

    /// <summary>Decodes across chunks, so a character split between two of them comes out whole.</summary>
    private static async Task CopyAsync(ByteString data, Decoder decoder, TextWriter writer, CancellationToken cancellationToken)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var chars = new char[decoder.GetCharCount(data.Span, flush: false)];
        decoder.GetChars(data.Span, chars, flush: false);
        await writer.WriteAsync(chars, cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }
}
