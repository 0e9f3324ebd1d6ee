using KubeMesh.Kubelet.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeMesh.Kubelet.Tests.Runtime;

public sealed class IsolationProbeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("isolation-probe-").FullName;

    [Fact]
    public async Task DetectAsync_FirstProbeHangs_TriesAgainAndKeepsIsolation()
    {
        // The first container start hangs, as one can on a loaded machine; the ones after it work.
        var script = await WrapInitScriptAsync("""if [ "$n" -eq 1 ]; then sleep 60; fi""");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var requested = Environment.IsPrivilegedProcess ? IsolationMode.Namespaces : IsolationMode.UserNamespace;

        var (mode, failure) = await IsolationProbe.DetectAsync(requested, script, _directory, TimeSpan.FromSeconds(3),
            NullLogger.Instance, cts.Token);

        Assert.Equal(requested, mode);
        Assert.Equal("", failure);
        Assert.Equal(2, StartCount());
    }

    [Fact]
    public async Task DetectAsync_ProbeFails_GivesTheModeUpWithoutRetrying()
    {
        var script = await WrapInitScriptAsync("echo no namespaces here >&2; exit 1");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        var (mode, failure) = await IsolationProbe.DetectAsync(IsolationMode.Namespaces, script, _directory, TimeSpan.FromSeconds(3),
            NullLogger.Instance, cts.Token);

        Assert.Equal(IsolationMode.None, mode);
        Assert.Contains("Namespaces: exit 1: no namespaces here", failure);
        Assert.Equal(1, StartCount());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A container-init.sh that counts its starts in a file, runs <paramref name="before"/> ($n is this start's number), then the real script.</summary>
    private async Task<string> WrapInitScriptAsync(string before)
    {
        var real = Path.Combine(_directory, "container-init.sh");
        await using (var resource = typeof(ProcessContainerRuntime).Assembly.GetManifestResourceStream("container-init.sh")!)
        await using (var file = File.Create(real))
        {
            await resource.CopyToAsync(file);
        }

        var wrapper = Path.Combine(_directory, "wrapped-init.sh");
        var count = Path.Combine(_directory, "starts");
        await File.WriteAllTextAsync(wrapper, $"""
            echo start >> {count}
            n=$(wc -l < {count})
            {before}
            exec /bin/sh {real} "$@"
            """);
        return wrapper;
    }

    private int StartCount() => File.ReadAllLines(Path.Combine(_directory, "starts")).Length;
}
