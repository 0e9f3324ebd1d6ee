using System.Diagnostics;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// Builds the command line that turns a process into a container:
/// <c>setpriv --pdeathsig KILL</c> (it dies with the kubelet) runs <c>unshare</c>, which makes mount,
/// PID and UTS namespaces (plus a user namespace when not root) and forks container-init.sh as PID 1.
/// When unshare dies its child gets SIGKILL (--kill-child), and when PID 1 dies the kernel kills every
/// process of the PID namespace: no container process outlives the kubelet.
///
/// Resources: with cgroups, a small shell first writes its own PID into the container's cgroup.procs files and only
/// then execs the rest, so the container's every process starts inside its limits; there is no moment in which it
/// runs unlimited.
///
/// Networking: containers stay in the node's network namespace, because a private one (unshare --net)
/// would leave the pod IP unreachable from the node and from other pods. Each pod owns one address of
/// 127.0.0.0/8 instead; servers bind it (built-in images read KUBEMESH_POD_IP), so pods on one node can
/// all listen on port 80. The pod's /etc/hosts maps "localhost" and the pod's hostname to the pod IP, so
/// containers of one pod reach each other as "localhost"; the literal 127.0.0.1 is the node's loopback.
/// </summary>
internal static class ContainerLaunch
{
    public static ProcessStartInfo Create(IsolationMode mode, string initScript, string staging, string mountsFile,
        string hostname, string workingDir, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> env,
        IReadOnlyList<string> cgroupProcs)
    {
        var info = NewInfo(env);
        AddAll(info, "--pdeathsig", "KILL", "--");
        if (cgroupProcs.Count > 0)
        {
            AddAll(info, "/bin/sh", "-c", "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 125; shift; done; shift; exec \"$@\"", "cgroup-enter");
            AddAll(info, [.. cgroupProcs, "--"]);
        }

        if (mode == IsolationMode.None)
        {
            // A session and process group of its own, so stopping it signals the whole tree.
            AddAll(info, "setsid", "--");
            if (workingDir.Length > 0 && Directory.Exists(workingDir))
            {
                info.WorkingDirectory = workingDir;
            }
        }
        else
        {
            AddAll(info, "unshare", "--mount", "--propagation", "private", "--pid", "--uts", "--fork", "--kill-child=SIGKILL");
            if (mode == IsolationMode.UserNamespace)
            {
                AddAll(info, "--user", "--map-root-user");
            }

            AddAll(info, "--", "/bin/sh", initScript, staging, mountsFile, hostname, workingDir);
        }

        AddAll(info, [.. argv]);
        return info;
    }

    /// <summary>A command run in a running container's namespaces and root (exec probes).</summary>
    public static ProcessStartInfo Exec(IsolationMode mode, int pid, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> env)
    {
        var info = NewInfo(env);
        info.FileName = "nsenter";
        AddAll(info, "--target", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--mount", "--pid", "--uts", "--root", "--wd");
        if (mode == IsolationMode.UserNamespace)
        {
            AddAll(info, "--user", "--preserve-credentials");
        }

        AddAll(info, "--");
        AddAll(info, [.. command]);
        return info;
    }

    /// <summary>A command run in the node's view, for nodes without isolation.</summary>
    public static ProcessStartInfo ExecDirect(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> env)
    {
        var info = NewInfo(env);
        info.FileName = command[0];
        AddAll(info, [.. command.Skip(1)]);
        return info;
    }

    private static ProcessStartInfo NewInfo(IReadOnlyDictionary<string, string> env)
    {
        var info = new ProcessStartInfo("setpriv")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment.Clear();
        foreach (var (name, value) in env)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    private static void AddAll(ProcessStartInfo info, params string[] args)
    {
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
    }
}
