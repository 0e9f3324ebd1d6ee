using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using KubeMesh.Kubelet.Images;
using KubeMesh.Kubelet.Runtime.Cgroups;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// Runs containers as local processes, each in its own mount, PID and UTS namespaces with a private
/// copy-on-write view of the node's files (see container-init.sh and <see cref="ContainerLaunch"/>).
/// </summary>
public sealed class ProcessContainerRuntime(ContainerRuntimeOptions options, ImageRegistry images,
    ContainerLogStore logs, ILogger<ProcessContainerRuntime> logger) : IContainerRuntime, IDisposable
{
    private readonly ConcurrentDictionary<string, ContainerInstance> _containers = new();
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private string _initScript = "";
    private string _isolationMessage = "";
    private bool _initialized;
    private CgroupHierarchy? _cgroups;

    public IsolationMode Isolation { get; private set; } = IsolationMode.Auto;

    public string? CpuLimitsNotEnforcedReason { get; private set; }

    /// <summary>Kills containers left by an earlier run, then probes isolation. Runs once; starts call it.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _initLock.WaitAsync(cancellationToken);
        try
        {
            if (_initialized)
            {
                return;
            }

            Directory.CreateDirectory(ContainerRecord.DirectoryIn(options.StateDirectory));
            KillOrphans();
            _initScript = Path.Combine(options.StateDirectory, "container-init.sh");
            await using (var script = typeof(ProcessContainerRuntime).Assembly.GetManifestResourceStream("container-init.sh")!)
            await using (var file = File.Create(_initScript))
            {
                await script.CopyToAsync(file, cancellationToken);
            }

            var (mode, failure) = await IsolationProbe.DetectAsync(options.Isolation, _initScript, options.StateDirectory, logger, cancellationToken);
            Isolation = mode;
            _isolationMessage = mode == IsolationMode.None ? $"container isolation is off on this node ({failure})" : "";
            await InitializeCgroupsAsync();
            _initialized = true;
        }
        finally
        {
            _initLock.Release();
        }
    }

    private async Task InitializeCgroupsAsync()
    {
        var failure = "disabled by configuration";
        if (options.Cgroups != CgroupMode.None)
        {
            var parent = options.CgroupParent
                ?? "kubemesh/kubelet-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(options.StateDirectory)))[..12];
            _cgroups = CgroupHierarchy.Detect(options.Cgroups, parent, out failure);
        }

        if (_cgroups is null)
        {
            CpuLimitsNotEnforcedReason = $"no writable cgroup hierarchy on this node ({failure})";
            RuntimeLog.CgroupsOff(logger, failure);
            return;
        }

        await _cgroups.RemoveStaleAsync();
        RuntimeLog.CgroupsChosen(logger, _cgroups.Version.ToString().ToLowerInvariant(), string.Join(", ", _cgroups.Roots));
    }

    public async Task<ContainerHandle> StartContainerAsync(PodSandbox sandbox, ContainerSpec spec, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        var image = images.Resolve(spec.Image);
        var argv = image.BuildArgv(spec.Command, spec.Args);
        var env = ContainerEnvironment.Build(sandbox, image.Env, spec.Env);
        var id = Guid.NewGuid().ToString("N")[..16];
        var staging = Path.Combine(ContainerRecord.DirectoryIn(options.StateDirectory), id);
        Directory.CreateDirectory(Path.Combine(staging, "rootfs"));
        var mountsFile = Path.Combine(staging, "mounts");
        await File.WriteAllTextAsync(mountsFile, MountTable.Build(sandbox, spec, Isolation, sandbox.Dns ?? PodDnsConfig.ClusterFirst(options.ClusterDns, sandbox.Namespace, options.ClusterDomain)), cancellationToken);

        var cgroup = CreateCgroup(sandbox, spec, id);
        var info = ContainerLaunch.Create(Isolation, _initScript, Path.Combine(staging, "rootfs"), mountsFile,
            sandbox.Hostname, spec.WorkingDir, argv, env, cgroup?.ProcsFiles ?? []);
        var writer = logs.OpenWriter(sandbox.PodUid, spec.Name, spec.Attempt);
        Process process;
        try
        {
            process = await ProcessLauncher.StartAsync(info);
        }
        catch (Exception)
        {
            writer.Dispose();
            ContainerRecord.Delete(options.StateDirectory, id);
            if (cgroup is not null)
            {
                await cgroup.RemoveAsync();
            }

            throw;
        }

        process.StandardInput.Close();
        var pumps = Task.WhenAll(
            writer.PumpAsync(process.StandardOutput, "stdout"),
            writer.PumpAsync(process.StandardError, "stderr"));
        new ContainerRecord(id, process.Id, ProcessInfo.StartTime(process.Id) ?? 0).Save(options.StateDirectory);

        var pid = Isolation == IsolationMode.None ? process.Id : await FindInitAsync(process, cancellationToken);
        if (Isolation != IsolationMode.None)
        {
            // Started means the command runs, as with runc: building the root is part of creating the container,
            // and probes (initialDelaySeconds, the first period) count from here.
            await WaitForRootAsync(pid, cancellationToken);
        }

        var handle = new ContainerHandle(id, sandbox.PodUid, spec.Name, spec.Attempt, pid, DateTimeOffset.UtcNow);
        var instance = new ContainerInstance(handle, process, env, _isolationMessage, cgroup);
        _containers[id] = instance;
        RuntimeLog.ContainerStarted(logger, spec.Name, sandbox.PodUid, spec.Attempt, pid);
        _ = WatchAsync(instance, pumps, writer);
        if (cgroup is null && spec.Resources.MemoryLimitBytes is { } limit)
        {
            _ = MemoryLimitWatch.RunAsync(instance, limit, options.MemoryWatchInterval, (over, resident) =>
            {
                RuntimeLog.OverMemoryLimit(logger, over.Handle.Id, resident, limit);
                over.MarkKilledOverMemoryLimit();
                Signal(over, NativeMethods.SigKill);
            });
        }

        return handle;
    }

    /// <summary>The container's own cgroup with its limits, or null (memory watch, CPU unlimited) where there are no cgroups.</summary>
    private ContainerCgroup? CreateCgroup(PodSandbox sandbox, ContainerSpec spec, string id)
    {
        if (_cgroups is null)
        {
            if (spec.Resources.CpuLimitMillis is { } cpu)
            {
                RuntimeLog.CpuLimitNotEnforced(logger, cpu, spec.Name, sandbox.PodUid, CpuLimitsNotEnforcedReason!);
            }

            return null;
        }

        try
        {
            return _cgroups.Create(sandbox.PodUid, id, spec.Resources);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ContainerRecord.Delete(options.StateDirectory, id);
            throw new InvalidOperationException($"cannot set up the container's cgroup: {e.Message}", e);
        }
    }

    public ContainerStatus GetStatus(ContainerHandle handle) => Get(handle).Current;

    public Task<ContainerStatus> WaitForExitAsync(ContainerHandle handle, CancellationToken cancellationToken) =>
        Get(handle).Exited.WaitAsync(cancellationToken);

    public async Task<ContainerStatus> StopContainerAsync(ContainerHandle handle, TimeSpan gracePeriod, CancellationToken cancellationToken = default)
    {
        var instance = Get(handle);
        if (instance.Exited.IsCompleted)
        {
            return await instance.Exited;
        }

        await WaitForTermHandlerAsync(instance, cancellationToken);
        Signal(instance, NativeMethods.SigTerm);
        var exited = await Task.WhenAny(instance.Exited, Task.Delay(gracePeriod, cancellationToken));
        if (exited != instance.Exited)
        {
            RuntimeLog.Escalating(logger, handle.Id, gracePeriod);
            instance.MarkKilled();
            Signal(instance, NativeMethods.SigKill);
            if (await Task.WhenAny(instance.Exited, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken)) != instance.Exited)
            {
                // PID 1 could not be signalled (e.g. it never started): unshare's --kill-child covers it.
                NativeMethods.Kill(instance.Process.Id, NativeMethods.SigKill);
            }
        }

        return await instance.Exited.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    public async Task<ExecResult> ExecAsync(ContainerHandle handle, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        await ExecRunner.RunAsync(await ExecStartInfoAsync(handle, command, cancellationToken), timeout, cancellationToken);

    public async Task<int> ExecStreamingAsync(
        ContainerHandle handle, IReadOnlyList<string> command, Func<bool, ReadOnlyMemory<byte>, Task> output, CancellationToken cancellationToken,
        Func<Stream, CancellationToken, Task>? stdin = null) =>
        await ExecRunner.StreamAsync(await ExecStartInfoAsync(handle, command, cancellationToken), output, cancellationToken, stdin);

    private async Task<ProcessStartInfo> ExecStartInfoAsync(ContainerHandle handle, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        var instance = Get(handle);
        if (Isolation != IsolationMode.None)
        {
            await WaitForRootAsync(handle.Pid, cancellationToken);
        }

        return Isolation == IsolationMode.None
            ? ContainerLaunch.ExecDirect(command, instance.Env)
            : ContainerLaunch.Exec(Isolation, handle.Pid, command, instance.Env);
    }

    /// <summary>
    /// A container counts as started once its init runs, while container-init.sh may still be mounting its root;
    /// an exec joining it then would see a half-built root without the volumes, so wait for the chroot.
    /// </summary>
    private async Task WaitForRootAsync(int pid, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < options.StartTimeout)
        {
            string? root;
            try
            {
                root = new FileInfo($"/proc/{pid}/root").LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return;
            }

            if (root is null || root != "/")
            {
                return;
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>
    /// A container's PID 1 (its init) drops SIGTERM while it has no handler for it, which it lacks for a moment while
    /// it execs into the container's root. A SIGTERM sent then would be lost and the stop would take the whole grace
    /// period, so wait until the init catches it (or has exited).
    /// </summary>
    private async Task WaitForTermHandlerAsync(ContainerInstance instance, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (Isolation != IsolationMode.None && !instance.Exited.IsCompleted && deadline.Elapsed < options.StartTimeout
            && ProcessInfo.CatchesSignal(instance.Handle.Pid, NativeMethods.SigTerm) == false)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>Removes this kubelet's cgroup parent once no container is left in it (a later start cleans up otherwise).</summary>
    public void Dispose() => _cgroups?.RemoveRoots();

    public void RemoveContainer(ContainerHandle handle)
    {
        if (_containers.TryRemove(handle.Id, out var instance))
        {
            instance.Process.Dispose();
        }
    }

    private ContainerInstance Get(ContainerHandle handle) =>
        _containers.TryGetValue(handle.Id, out var instance)
            ? instance
            : throw new KeyNotFoundException($"container {handle.Id} ({handle.ContainerName}) is not known to this runtime");

    private void Signal(ContainerInstance instance, int signal) =>
        NativeMethods.Kill(Isolation == IsolationMode.None ? -instance.Handle.Pid : instance.Handle.Pid, signal);

    private async Task<int> FindInitAsync(Process process, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < options.StartTimeout)
        {
            if (ProcessInfo.Children(process.Id) is [var init, ..])
            {
                return init;
            }

            if (process.HasExited)
            {
                return process.Id;
            }

            await Task.Delay(10, cancellationToken);
        }

        NativeMethods.Kill(process.Id, NativeMethods.SigKill);
        throw new TimeoutException($"container process {process.Id} did not start within {options.StartTimeout}");
    }

    private async Task WatchAsync(ContainerInstance instance, Task pumps, ContainerLogWriter writer)
    {
        await instance.Process.WaitForExitAsync();

        // The container ends with its main process, as with runc: what it left running goes too (a PID namespace's
        // kernel does this itself). They are the last holders of its stdout and stderr, so the pumps then read to the
        // end of both pipes, however long a loaded machine takes to run them; the log keeps every line written.
        if (Isolation == IsolationMode.None)
        {
            NativeMethods.Kill(-instance.Handle.Pid, NativeMethods.SigKill);
        }

        var oomKills = 0L;
        if (instance.Cgroup is { } cgroup)
        {
            oomKills = cgroup.OomKills;
            await cgroup.RemoveAsync();
        }

        // Only a process that left both the group and the cgroup can still hold a pipe open.
        await pumps.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { }, TaskScheduler.Default);
        writer.Dispose();
        ContainerRecord.Delete(options.StateDirectory, instance.Handle.Id);

        var status = instance.Complete(oomKills);
        RuntimeLog.ContainerExited(logger, instance.Handle.Id, status.ExitCode ?? -1);
    }

    private void KillOrphans()
    {
        foreach (var record in ContainerRecord.LoadAll(options.StateDirectory))
        {
            if (ProcessInfo.StartTime(record.Pid) == record.StartTime)
            {
                foreach (var child in ProcessInfo.Children(record.Pid))
                {
                    NativeMethods.Kill(child, NativeMethods.SigKill);
                }

                NativeMethods.Kill(-record.Pid, NativeMethods.SigKill);
                NativeMethods.Kill(record.Pid, NativeMethods.SigKill);
                RuntimeLog.OrphanKilled(logger, record.Pid, record.Id);
            }

            ContainerRecord.Delete(options.StateDirectory, record.Id);
        }
    }
}
