using System.Diagnostics;

namespace KubeMesh.Bench.ApiServer;

/// <summary>
/// CPU time used by the bench's own process (callers and, in process, the api-server) plus the server process it
/// drives (the store or etcd), read from the kernel's per-process accounting. Unlike a rate, CPU per operation barely
/// moves with the machine's load, so it compares runs on a shared machine.
/// </summary>
public sealed class CpuClock(int serverPid)
{
    private TimeSpan _start = Read(serverPid);

    public void Restart() => _start = Read(serverPid);

    /// <summary>Microseconds of CPU per operation since the last restart.</summary>
    public double MicrosecondsPer(double operations) => (Read(serverPid) - _start).TotalMicroseconds / operations;

    private static TimeSpan Read(int pid)
    {
        using var self = Process.GetCurrentProcess();
        using var server = Process.GetProcessById(pid);
        return self.TotalProcessorTime + server.TotalProcessorTime;
    }
}
