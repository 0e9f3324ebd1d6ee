using System.Diagnostics;

namespace KubeMesh.Bench.Scale;

/// <summary>One component of the cluster in its own process, ended with its tree; keeps its last lines of output for errors.</summary>
public sealed class ComponentProcess : IDisposable
{
    private const int KeptLines = 200;
    private readonly Process _process;
    private readonly Queue<string> _lines = new();

    private ComponentProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return $"--- {Name} (last {_lines.Count} lines)\n" + string.Join('\n', _lines);
            }
        }
    }

    public static ComponentProcess Start(string name, string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var component = new ComponentProcess(name, Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}"));
        component._process.OutputDataReceived += (_, e) => component.Keep(e.Data);
        component._process.ErrorDataReceived += (_, e) => component.Keep(e.Data);
        component._process.BeginOutputReadLine();
        component._process.BeginErrorReadLine();
        return component;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > KeptLines)
            {
                _lines.Dequeue();
            }
        }
    }
}
