namespace KubeMesh.Testing;

/// <summary>How a command ended: its exit code, standard output, standard error, and both interleaved as they came.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError, string Output)
{
    public void Deconstruct(out int exitCode, out string output)
    {
        exitCode = ExitCode;
        output = Output;
    }
}
