namespace KubeMesh.Kubelet.Images;

/// <summary>
/// How to run an image on this node: its ENTRYPOINT and CMD, as the real image defines them, and
/// extra environment. <see cref="Entrypoint"/> and <see cref="Cmd"/> combine with a container's
/// command and args exactly as Kubernetes combines them with an image's.
/// </summary>
public sealed record BuiltInImage(string Repository, IReadOnlyList<string> Entrypoint, IReadOnlyList<string> Cmd)
{
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> BuildArgv(IReadOnlyList<string> command, IReadOnlyList<string> args)
    {
        if (command.Count > 0)
        {
            return [.. command, .. args];
        }

        return args.Count > 0 ? [.. Entrypoint, .. args] : [.. Entrypoint, .. Cmd];
    }
}
