using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using KubeMesh.AppHost;
using Microsoft.Extensions.DependencyInjection;

namespace KubeMesh.EndToEnd;

/// <summary>
/// The process of one AppHost resource, to kill as a user does (kill -9). Aspire reports the pid of the `dotnet run`
/// launcher; the component is its child.
/// </summary>
internal static class ComponentProcess
{
    /// <summary>Kills <paramref name="resource"/>'s component process with SIGKILL once it runs; returns the running snapshot it had.</summary>
    public static async Task<ResourceEvent> KillAsync(DistributedApplication app, string resource, CancellationToken cancellationToken)
    {
        var (running, component) = await RunningComponentAsync(app, resource, cancellationToken);
        using var process = Process.GetProcessById(component);
        process.Kill();
        return running;
    }

    /// <summary>
    /// Stops <paramref name="resource"/>'s component process with SIGSTOP, as a long GC pause, a swapped-out or
    /// live-migrated VM would, for <paramref name="duration"/>, then lets it go on with SIGCONT (also when cancelled).
    /// The process keeps its sockets and its belief that it leads: what it does when it wakes is the point.
    /// </summary>
    public static async Task PauseAsync(DistributedApplication app, string resource, TimeSpan duration, CancellationToken cancellationToken)
    {
        var (_, component) = await RunningComponentAsync(app, resource, cancellationToken);
        Signal(component, SIGSTOP);
        try
        {
            await Task.Delay(duration, cancellationToken);
        }
        finally
        {
            Signal(component, SIGCONT);
        }
    }

    /// <summary>
    /// Waits until <paramref name="resource"/> runs again as a new process after <paramref name="killed"/>: its launcher
    /// is Running, the component itself has started, and an api-server listens on its gRPC port again.
    /// </summary>
    public static async Task<ResourceEvent> WaitForRestartAsync(DistributedApplication app, string resource, ResourceEvent killed, CancellationToken cancellationToken)
    {
        var back = await app.ResourceNotifications.WaitForResourceAsync(resource, e => IsRunning(e) && Pid(e) is { } p && p != Pid(killed), cancellationToken);

        // The launcher seen running may itself exit and be started again (a component that finds its port still
        // held): look at whichever launcher runs now on every try.
        await Eventually.Returns(() => Task.FromResult(ChildOf(CurrentLauncher(app, resource) ?? Pid(back)!.Value)), TimeSpan.FromSeconds(120));
        var grpc = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == resource)
            .Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.Name == "grpc" && e.Port is not null);
        if (grpc is not null)
        {
            await FreePort.WaitUntilListeningAsync(System.Net.IPAddress.Loopback, grpc.Port!.Value, TimeSpan.FromSeconds(120));
        }

        return back;
    }

    // Linux's numbers (x86-64 and arm64 alike).
    private const int SIGCONT = 18;
    private const int SIGSTOP = 19;

    public static int Restarts(ResourceEvent e) =>
        e.Snapshot.Properties.FirstOrDefault(p => p.Name == ComponentSupervisor.RestartsProperty)?.Value is { } value ? Convert.ToInt32(value, CultureInfo.InvariantCulture) : 0;

    /// <summary>The resource's running snapshot and the pid of its component, once both are there.</summary>
    private static async Task<(ResourceEvent Running, int Component)> RunningComponentAsync(DistributedApplication app, string resource, CancellationToken cancellationToken)
    {
        var running = await app.ResourceNotifications.WaitForResourceAsync(resource, e => IsRunning(e) && Pid(e) is not null, cancellationToken);
        var launcher = Pid(running)!.Value;
        return (running, await Eventually.Returns(() => Task.FromResult(ChildOf(launcher)), TimeSpan.FromSeconds(90)));
    }

    private static int? CurrentLauncher(DistributedApplication app, string resource) =>
        app.ResourceNotifications.TryGetCurrentState(resource, out var current) && current is not null && IsRunning(current) ? Pid(current) : null;

    private static bool IsRunning(ResourceEvent e) => e.Snapshot.State?.Text == KnownResourceStates.Running;

    private static int? Pid(ResourceEvent e) =>
        e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value && int.TryParse(value.ToString(), out var pid) ? pid : null;

    private static void Signal(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SA1300 // the C library's name
    private static extern int kill(int pid, int sig);
#pragma warning restore SA1300

    /// <summary>The launcher's only child; throws while it has none yet (dotnet run is still evaluating the project).</summary>
    private static int ChildOf(int launcherPid)
    {
        var children = File.ReadAllText($"/proc/{launcherPid}/task/{launcherPid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return children.Length == 1
            ? int.Parse(children[0], CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"launcher {launcherPid} has {children.Length} child processes, not one");
    }
}
