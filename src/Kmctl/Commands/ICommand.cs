using KubeMesh.Kmctl.Cli;

namespace KubeMesh.Kmctl.Commands;

/// <summary>One kmctl verb (get, apply, ...) with the flags it accepts besides the global ones.</summary>
public interface ICommand
{
    string Name { get; }

    IReadOnlyList<FlagSpec> Flags { get; }

    Task<int> RunAsync(KmctlContext context, CancellationToken cancellationToken);
}
