using Grpc.Core;
using KubeMesh.Kmctl.Api;
using KubeMesh.Kmctl.Cli;
using KubeMesh.Kmctl.Commands;

namespace KubeMesh.Kmctl;

/// <summary>Finds the command, parses its flags with the global ones, runs it, and prints any failure as one line.</summary>
public static class KmctlApp
{
    public static readonly IReadOnlyList<FlagSpec> GlobalFlags =
    [
        FlagSpec.Value("server", 's'),
        FlagSpec.Value("kubeconfig"),
        FlagSpec.Value("namespace", 'n'),
        FlagSpec.Bool("all-namespaces", 'A'),
    ];

    public static IReadOnlyList<ICommand> Commands { get; } =
    [
        new GetCommand(), new ApplyCommand(), new CreateCommand(), new DeleteCommand(), new DescribeCommand(),
        new LabelCommand(), new RunCommand(), new ScaleCommand(), new RolloutCommand(), new LogsCommand(), new ExecCommand(),
        new ApiResourcesCommand(), new VersionCommand(), new AuthCommand(),
    ];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, TimeProvider clock)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        KmctlContext? context = null;
        try
        {
            var (command, rest) = FindCommand(args);
            var parsed = ArgParser.Parse(rest, [.. GlobalFlags, .. command.Flags]);
            context = new KmctlContext(parsed, args, output, error, clock);
            return await command.RunAsync(context, cancellation.Token);
        }
        catch (UsageException ex)
        {
            error.WriteLine($"error: {ex.Message}");
        }
        catch (CommandException ex)
        {
            error.WriteLine(ex.Message);
        }
        catch (KubeMesh.Client.Credentials.KubeconfigException ex)
        {
            error.WriteLine($"error: {ex.Message}");
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled || !cancellation.IsCancellationRequested)
        {
            error.WriteLine(ApiErrors.Message(ex, context?.ServerAddress ?? ServerAddress.Default));
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return 130;
        }
        catch (RpcException)
        {
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            context?.Dispose();
        }

        return 1;
    }

    /// <summary>The first word that is neither a global flag nor its value names the command.</summary>
    public static (ICommand Command, List<string> Remaining) FindCommand(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith('-'))
            {
                var spec = GlobalFlags.FirstOrDefault(f => arg == "--" + f.Name || (arg.Length == 2 && arg[1] == f.Shorthand));
                if (spec is { TakesValue: true })
                {
                    i++;
                }

                continue;
            }

            var command = Commands.FirstOrDefault(c => c.Name == arg)
                ?? throw new UsageException($"unknown command \"{arg}\" for \"kmctl\"");
            var rest = args.Take(i).Concat(args.Skip(i + 1)).ToList();
            return (command, rest);
        }

        throw new UsageException("a command is required: " + string.Join(", ", Commands.Select(c => c.Name)));
    }
}
