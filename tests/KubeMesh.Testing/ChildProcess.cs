using System.Diagnostics;
using System.Text;

namespace KubeMesh.Testing;

/// <summary>
/// A process a test starts and always ends (its whole tree, SIGKILL) when disposed, keeping what it printed for
/// failure messages. Start it with arguments (never a shell line), wait on it with a timeout.
/// </summary>
public sealed class ChildProcess : IDisposable, IAsyncDisposable
{
    private const int MaxKept = 4 * 1024 * 1024;
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();
    private readonly StringBuilder _both = new();
    private readonly TaskCompletionSource _outClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Standard output and standard error as they came, interleaved by line.</summary>
    public string Output => Read(_both);

    public string StandardOutput => Read(_out);

    public string StandardError => Read(_err);

    public static ChildProcess Start(string file, params string[] args) => Start(file, args, stdin: null);

    /// <param name="stdin">Written to the process and then closed; null closes its input at once.</param>
    /// <param name="environment">Variables set (or, with a null value, removed) in the child's environment.</param>
    public static ChildProcess Start(string file, IEnumerable<string> args, string? stdin, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var child = new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}"));
        child._process.OutputDataReceived += (_, e) => child.Append(e.Data, child._out, child._outClosed);
        child._process.ErrorDataReceived += (_, e) => child.Append(e.Data, child._err, child._errClosed);
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        if (stdin is not null)
        {
            child._process.StandardInput.Write(stdin);
        }

        child._process.StandardInput.Close();
        return child;
    }

    /// <summary>Runs a command to its end within the timeout (then kills it and fails) and returns what it printed.</summary>
    public static Task<ProcessResult> RunAsync(TimeSpan timeout, string file, params string[] args) =>
        RunAsync(timeout, file, args, stdin: null);

    public static async Task<ProcessResult> RunAsync(
        TimeSpan timeout, string file, IEnumerable<string> args, string? stdin, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var argv = args.ToList();
        await using var child = Start(file, argv, stdin, environment);
        var exitCode = await child.WaitForExitAsync(timeout, $"{file} {string.Join(' ', argv)}");
        return new ProcessResult(exitCode, child.StandardOutput, child.StandardError, child.Output);
    }

    /// <summary>Waits for the process to end and for all it printed; kills it and fails if that takes longer than the timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, string? what = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_outClosed.Task, _errClosed.Task).WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{what ?? _process.StartInfo.FileName} did not finish within {timeout.TotalSeconds:0.#} s; it printed:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Waits until the process has printed a line that satisfies <paramref name="seen"/>.</summary>
    public async Task WaitForOutputAsync(Func<string, bool> seen, TimeSpan timeout, string what)
    {
        try
        {
            await Eventually.Until(() => seen(Output), timeout, what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; {_process.StartInfo.FileName} printed:\n{Output}", e);
        }
    }

    /// <summary>SIGKILL to the whole tree, as kill -9: nothing gets a chance to clean up. Returns once it is gone.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    throw new TimeoutException($"{_process.StartInfo.FileName} (pid {_process.Id}) did not exit after SIGKILL");
                }
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line, StringBuilder stream, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        lock (_both)
        {
            if (_both.Length < MaxKept)
            {
                stream.AppendLine(line);
                _both.AppendLine(line);
            }
        }
    }

    private string Read(StringBuilder text)
    {
        lock (_both)
        {
            return text.ToString();
        }
    }
}
