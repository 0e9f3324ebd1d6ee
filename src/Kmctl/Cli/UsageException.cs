namespace KubeMesh.Kmctl.Cli;

/// <summary>A mistake in the command line; printed as kubectl prints it: "error: ..." and exit code 1.</summary>
public sealed class UsageException(string message) : Exception(message);
