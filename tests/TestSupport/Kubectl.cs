using System.Diagnostics;
using System.Text;

namespace KubeMesh.Testing;

/// <summary>
/// Runs the real kubectl (/usr/bin/kubectl, a dispatcher that picks 1.32 by the server's minor version) against a
/// kubeconfig, as a user types it, with a discovery cache of its own (KUBECACHEDIR) so every run sees the server
/// as it is now. Disposing removes the cache.
/// </summary>
public sealed class Kubectl(string kubeconfig) : IDisposable
{
    public const string Executable = "/usr/bin/kubectl";
    // Longer than the --timeout=120s the tests give kubectl's own waits (rollout status), so kubectl says why it waited.
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(180);

    public string CacheDirectory { get; } = Directory.CreateTempSubdirectory("kubectl-cache-").FullName;

    /// <summary>Runs kubectl to its end; <paramref name="stdin"/>, when given, is written to it and closed.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args, string? stdin = null, TimeSpan? timeout = null)
    {
        using var process = Start(args, prefix: []);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish within {timeout ?? DefaultTimeout}: {await output}{await error}");
        }

        return (process.ExitCode, await output, await error);
    }

    /// <summary>Runs kubectl and returns its output; a failure throws with its error.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var (code, output, error) = await RunAsync(args);
        return code == 0 ? output : throw new InvalidOperationException($"kubectl {string.Join(' ', args)} exited {code}: {error}{output}");
    }

    /// <summary>
    /// Starts kubectl under `timeout SECONDS`, as `timeout 5 kubectl get pods -w` is typed, and returns at once: the
    /// running command's output is read as it comes, and its exit code (124 when the time ran out) awaited.
    /// </summary>
    public Running StartWithTimeout(int seconds, params string[] args)
    {
        var process = Start(args, prefix: ["/usr/bin/timeout", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        process.StandardInput.Close();
        return new Running(process);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(CacheDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Process Start(string[] args, string[] prefix)
    {
        var start = new ProcessStartInfo(prefix.Length > 0 ? prefix[0] : Executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in prefix.Skip(1).Concat(prefix.Length > 0 ? [Executable] : []).Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["KUBECONFIG"] = kubeconfig;
        start.Environment["KUBECACHEDIR"] = CacheDirectory;
        start.Environment["HOME"] = CacheDirectory;
        return Process.Start(start) ?? throw new InvalidOperationException("could not start kubectl");
    }

    /// <summary>A kubectl still running, with what it has written so far.</summary>
    public sealed class Running : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly Task _reading;

        internal Running(Process process)
        {
            _process = process;
            _reading = Task.WhenAll(ReadAsync(process.StandardOutput), ReadAsync(process.StandardError));
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cts.Token);
            await _reading.WaitAsync(cts.Token);
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }

        private async Task ReadAsync(StreamReader reader)
        {
            var buffer = new char[4096];
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                lock (_output)
                {
                    _output.Append(buffer, 0, read);
                }
            }
        }
    }
}
