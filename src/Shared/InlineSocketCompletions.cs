namespace KubeMesh.Hosting;

/// <summary>
/// The runtime's switch that runs socket completions on the socket engine's threads (one per core) instead of
/// handing each to a thread-pool worker. The runtime reads it once, from the environment, when the first socket is
/// made: <see cref="Prefer"/> is called first in Main. A value set from outside is kept, so
/// DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 turns it off. Compiled into each program that uses it (the ingress
/// controller, the images, and bench/IngressLoadTest's bare YARP), which share no other project.
/// </summary>
internal static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void Prefer()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }

    /// <summary>Whether completions run inline: nothing on a socket's path may block then.</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";
}
