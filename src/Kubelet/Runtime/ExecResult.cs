namespace KubeMesh.Kubelet.Runtime;

/// <summary>The outcome of a command run in a container's view; TimedOut means it was killed.</summary>
public sealed record ExecResult(int ExitCode, string Output, bool TimedOut);
