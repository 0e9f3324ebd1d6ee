namespace KubeMesh.Kmctl.Cli;

/// <summary>A failure whose message is already the one line kubectl would print ("error: ...", "Error from server ...").</summary>
public sealed class CommandException(string message) : Exception(message);
