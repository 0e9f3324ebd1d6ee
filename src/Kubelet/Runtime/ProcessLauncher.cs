using System.Collections.Concurrent;
using System.Diagnostics;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// Starts container processes from one thread that lives as long as the kubelet. Containers run under
/// <c>setpriv --pdeathsig KILL</c>, and Linux sends that signal when the creating *thread* exits, not
/// the process: started from a pool thread, a container would die when the pool retired the thread.
/// </summary>
internal static class ProcessLauncher
{
    private static readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Started)> s_requests = [];

    static ProcessLauncher()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "kubelet-process-launcher" };
        thread.Start();
    }

    public static Task<Process> StartAsync(ProcessStartInfo info)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        s_requests.Add((info, started));
        return started.Task;
    }

    private static void Run()
    {
        foreach (var (info, started) in s_requests.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start"));
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        }
    }
}
