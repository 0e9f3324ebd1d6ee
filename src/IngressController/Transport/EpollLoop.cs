using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using static KubeMesh.IngressController.Transport.EpollNative;

namespace KubeMesh.IngressController.Transport;

/// <summary>
/// One thread waiting on one epoll instance, as one nginx worker: the sockets registered with it have their readiness
/// events handled on it, and whatever waited for them (a request being forwarded, Kestrel's HTTP processing) runs on
/// it inline, until it waits again. Sockets are registered edge-triggered, so a socket is reported once per change and
/// its owner keeps what it learned (<see cref="EpollSocket"/>).
/// </summary>
internal sealed unsafe class EpollLoop
{
    private const int MaxEvents = 256;

    [ThreadStatic]
    private static EpollLoop? t_current;

    private readonly int _epoll;

    // Handles unregistered since the loop last waited: an event for one may still be in the batch being handled, so
    // its GCHandle (the registration's data) is freed only before the next wait.
    private readonly ConcurrentQueue<GCHandle> _released = new();
    private readonly Action<Exception> _onError;

    public EpollLoop(int index, Action<Exception> onError)
    {
        Index = index;
        _onError = onError;
        _epoll = EpollCreate(SOCK_CLOEXEC);
        if (_epoll < 0)
        {
            throw Error(Marshal.GetLastPInvokeError());
        }

        var thread = new Thread(Run) { IsBackground = true, Name = $"epoll-{index}" };
        thread.UnsafeStart();
    }

    /// <summary>This loop's place in <see cref="EpollEngine.All"/>.</summary>
    public int Index { get; }

    /// <summary>The loop whose thread this is, or null.</summary>
    public static EpollLoop? Current => t_current;

    /// <summary>Registers <paramref name="fd"/> for <paramref name="events"/>; its events go to <paramref name="handle"/>.</summary>
    public void Register(EpollHandle handle, int fd, uint events)
    {
        // The event's data is the handle itself, through a GCHandle: no lookup per event.
        var reference = GCHandle.Alloc(handle);
        var registration = new EpollEvent { Events = events, Data = (ulong)GCHandle.ToIntPtr(reference) };
        if (EpollControl(_epoll, EPOLL_CTL_ADD, fd, &registration) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            reference.Free();
            throw Error(errno);
        }

        handle.Reference = reference;
    }

    /// <summary>Stops reporting <paramref name="fd"/>'s events; called once, before the fd is closed.</summary>
    public void Unregister(EpollHandle handle, int fd)
    {
        EpollControl(_epoll, EPOLL_CTL_DEL, fd, null);
        if (handle.Reference.IsAllocated)
        {
            _released.Enqueue(handle.Reference);
            handle.Reference = default;
        }
    }

    private void Run()
    {
        t_current = this;
        var events = stackalloc EpollEvent[MaxEvents];
        while (true)
        {
            while (_released.TryDequeue(out var released))
            {
                released.Free();
            }

            var count = EpollWait(_epoll, events, MaxEvents, -1);
            if (count < 0)
            {
                // EINTR: a signal (a debugger, a profiler) interrupted the wait.
                continue;
            }

            for (var i = 0; i < count; i++)
            {
                Dispatch((EpollHandle)GCHandle.FromIntPtr((nint)events[i].Data).Target!, events[i].Events);
            }
        }
    }

    private void Dispatch(EpollHandle handle, uint events)
    {
        try
        {
            handle.OnEvents(events);
        }
        catch (Exception exception)
        {
            // A handler's own failure must not end the loop every other socket on it depends on.
            _onError(exception);
        }
    }
}

/// <summary>What a registered fd's events are delivered to, on its loop's thread.</summary>
internal abstract class EpollHandle
{
    /// <summary>What the registration's data points to; freed by the loop after the fd is unregistered.</summary>
    internal GCHandle Reference { get; set; }

    public abstract void OnEvents(uint events);
}

/// <summary>
/// The epoll loops of this process, one per core, started at first use and kept for the process's life as .NET's
/// own socket engine keeps its threads. A socket stays on the loop it was registered with.
/// </summary>
internal static class EpollEngine
{
    private static readonly Lazy<EpollLoop[]> Loops = new(Start);
    private static int s_next;
    private static Action<Exception>? s_errorSink;

    /// <summary>Whether this platform has epoll.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Where a loop reports a handler's unexpected exception (the controller's log); set once at startup.</summary>
    public static void OnError(Action<Exception> sink) => s_errorSink = sink;

    /// <summary>The loop for a new socket: this thread's when it is a loop thread (the request that needs it runs there), else the next in turn.</summary>
    public static EpollLoop Pick()
    {
        if (EpollLoop.Current is { } current)
        {
            return current;
        }

        var loops = Loops.Value;
        return loops[(int)((uint)Interlocked.Increment(ref s_next) % (uint)loops.Length)];
    }

    public static IReadOnlyList<EpollLoop> All => Loops.Value;

    /// <summary>How many loops there are (one per core).</summary>
    public static int Count => Loops.Value.Length;

    private static EpollLoop[] Start()
    {
        var count = Environment.ProcessorCount;
        var loops = new EpollLoop[count];
        for (var i = 0; i < count; i++)
        {
            loops[i] = new EpollLoop(i, static exception => s_errorSink?.Invoke(exception));
        }

        return loops;
    }
}
