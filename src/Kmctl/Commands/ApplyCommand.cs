using KubeMesh.Kmctl.Cli;
using KubeMesh.Kmctl.Manifests;

namespace KubeMesh.Kmctl.Commands;

/// <summary>kubectl apply -f FILE|DIR|- [--record] [--dry-run=server|client].</summary>
public sealed class ApplyCommand : ICommand
{
    public string Name => "apply";

    public IReadOnlyList<FlagSpec> Flags { get; } =
        [FlagSpec.Value("filename", 'f'), FlagSpec.Bool("record"), FlagSpec.Value("dry-run"), FlagSpec.Value("output", 'o')];

    public Task<int> RunAsync(KmctlContext context, CancellationToken cancellationToken)
    {
        if (context.Args.Positionals.Count > 0)
        {
            throw new CommandException($"error: Unexpected args: [{string.Join(" ", context.Args.Positionals)}]");
        }

        return new ManifestApplier(context).RunAsync("apply", createOnly: false, cancellationToken);
    }
}
