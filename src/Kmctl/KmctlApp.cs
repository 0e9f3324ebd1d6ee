using Grpc.Core;
using KubeMesh.Kmctl.Api;
using KubeMesh.Kmctl.Cli;
using KubeMesh.Kmctl.Commands;
using KubeMesh.Kmctl.Tracing;

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
        FlagSpec.Bool("trace"),
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
        CommandTrace? trace = null;
        try
        {
            if (WantsHelp(args))
            {
                output.Write(Usage);
                return 0;
            }

            var (command, rest) = FindCommand(args);
            var parsed = ArgParser.Parse(rest, [.. GlobalFlags, .. command.Flags]);
            context = new KmctlContext(parsed, args, output, error, clock);
            trace = CommandTrace.StartIf(parsed.Bool("trace"), command.Name, KubeconfigSearch.Locate(parsed.Value("kubeconfig")));
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
            if (trace is not null)
            {
                error.WriteLine(trace.Line);
                trace.Dispose();
            }
        }

        return 1;
    }

    /// <summary>`kmctl help`: the commands with their flags, and the flags every command takes.</summary>
    public const string Usage = """
        kmctl controls a KubeMesh cluster, as kubectl does a Kubernetes one.

        Commands:
          apply -f FILE|DIR|- [--record] [--dry-run=server|client]
          create -f FILE | configmap NAME ... | secret generic|tls NAME ... | namespace NAME
          get KIND[,KIND2] [NAME...] [-l SEL] [--field-selector SEL] [-L KEY] [--show-labels] [-o wide|yaml|json|name] [--chunk-size N] [-w]
          describe KIND NAME
          delete KIND NAME... | KIND/NAME | -f FILE | KIND -l SEL | KIND --all
          label KIND NAME k=v k2- [--overwrite]
          run NAME --image IMAGE [--port P] [--env K=V] [--labels k=v] [--restart Never] [-- ARGS...]
          scale KIND NAME --replicas=N
          rollout status|history|undo deployment/NAME [--to-revision=N]
          logs POD [-c CONTAINER] [-f] [--previous] [--tail=N]
          exec POD [-c CONTAINER] -- COMMAND [ARGS...]
          api-resources | version | help

        Flags every command takes:
          -s, --server ADDRESS     the api-server (else $KUBEMESH_SERVER, else http://127.0.0.1:6443)
          -n, --namespace NAME     the namespace (default: default)
          -A, --all-namespaces     every namespace, where the command lists
              --trace              run the command as one trace and print its id on stderr ("trace id: ..."):
                                   every write it makes, and all the work the cluster does for them, share it;
                                   find it in the dashboard's Traces page or with `aspire otel traces`

        """;

    /// <summary>`kmctl help`, `--help`/`-h` before any `--`, or no command at all (kubectl prints its help then too).</summary>
    public static bool WantsHelp(IReadOnlyList<string> args) =>
        args.TakeWhile(a => a != "--").Any(a => a is "--help" or "-h") || CommandWordAt(args) is var i && (i < 0 || args[i] == "help");

    /// <summary>The first word that is neither a global flag nor its value names the command.</summary>
    public static (ICommand Command, List<string> Remaining) FindCommand(IReadOnlyList<string> args)
    {
        var i = CommandWordAt(args);
        if (i < 0)
        {
            throw new UsageException("a command is required: " + string.Join(", ", Commands.Select(c => c.Name)));
        }

        var command = Commands.FirstOrDefault(c => c.Name == args[i])
            ?? throw new UsageException($"unknown command \"{args[i]}\" for \"kmctl\"");
        return (command, args.Take(i).Concat(args.Skip(i + 1)).ToList());
    }

    private static int CommandWordAt(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-'))
            {
                return i;
            }

            var spec = GlobalFlags.FirstOrDefault(f => arg == "--" + f.Name || (arg.Length == 2 && arg[1] == f.Shorthand));
            if (spec is { TakesValue: true })
            {
                i++;
            }
        }

        return -1;
    }
}
