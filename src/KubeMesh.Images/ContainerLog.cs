using System.Text;

namespace KubeMesh.Images;

/// <summary>
/// A container's stdout as its request log. Console.WriteLine takes a lock and makes one write(2) per line on the
/// thread serving the request: under load, a syscall per request in the pod and one pipe read per line in the
/// kubelet that carries the log. Here a request only appends its line to a buffer; one writer thread writes what
/// has gathered in a single write, at most <see cref="Linger"/> after the first line of a batch, so a busy pod hands
/// the kubelet many lines per read, in order, and an idle one still shows each line at once. Lines are never
/// dropped while stdout is open: when <see cref="Capacity"/> bytes wait (the kubelet not keeping up) a request waits
/// for room without holding its thread, as a write to a full pipe would hold it. <see cref="Flush"/> on the way out
/// writes what is left.
/// </summary>
internal sealed class ContainerLog
{
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(5);
    private const int Capacity = 1 << 20;

    private readonly object _gate = new();
    private readonly Stream _output;
    private MemoryStream _pending = new();
    private MemoryStream _writing = new();
    private TaskCompletionSource? _room;
    private bool _completed;
    private bool _broken;
    private readonly ManualResetEventSlim _drained = new();

    public ContainerLog(Stream output)
    {
        _output = output;
        new Thread(WriteLoop) { IsBackground = true, Name = "container stdout" }.Start();
    }

    public static ContainerLog Stdout { get; } = new(Console.OpenStandardOutput());

    /// <summary>Appends one line; completes at once unless <see cref="Capacity"/> bytes are already waiting.</summary>
    public ValueTask WriteLineAsync(string line)
    {
        var bytes = Encoding.UTF8.GetByteCount(line) + 1;
        lock (_gate)
        {
            if (_completed || _broken)
            {
                return ValueTask.CompletedTask;
            }

            if (_pending.Length + bytes > Capacity && _pending.Length > 0)
            {
                _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return new ValueTask(WriteWhenRoomAsync(_room.Task, line));
            }

            Append(line, bytes);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Writes every line appended so far and stops taking more; waits at most <paramref name="timeout"/>.</summary>
    public void Flush(TimeSpan timeout)
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.Pulse(_gate);
        }

        _drained.Wait(timeout);
    }

    private async Task WriteWhenRoomAsync(Task room, string line)
    {
        await room.ConfigureAwait(false);
        await WriteLineAsync(line).ConfigureAwait(false);
    }

    private void Append(string line, int bytes)
    {
        var wasEmpty = _pending.Length == 0;
        var start = (int)_pending.Length;
        _pending.SetLength(start + bytes);
        var buffer = _pending.GetBuffer();
        Encoding.UTF8.GetBytes(line, buffer.AsSpan(start));
        buffer[start + bytes - 1] = (byte)'\n';
        _pending.Position = _pending.Length;
        if (wasEmpty)
        {
            Monitor.Pulse(_gate);
        }
    }

    private void WriteLoop()
    {
        while (true)
        {
            TaskCompletionSource? room;
            lock (_gate)
            {
                while (_pending.Length == 0 && !_completed)
                {
                    Monitor.Wait(_gate);
                }

                if (_pending.Length == 0)
                {
                    break;
                }

                if (!_completed)
                {
                    // Let the lines of the same few milliseconds join this one: one write, one read in the kubelet.
                    Monitor.Wait(_gate, Linger);
                }

                (_pending, _writing) = (_writing, _pending);
                room = _room;
                _room = null;
            }

            room?.TrySetResult();
            try
            {
                _output.Write(_writing.GetBuffer(), 0, (int)_writing.Length);
                _output.Flush();
            }
            catch (IOException)
            {
                // stdout closed (nobody reads the container's log any more): requests go on, their lines are dropped.
                lock (_gate)
                {
                    _broken = true;
                    _pending.SetLength(0);
                }
            }

            _writing.SetLength(0);
        }

        _drained.Set();
    }
}
