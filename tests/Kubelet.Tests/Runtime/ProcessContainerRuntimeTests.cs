using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KubeMesh.Kubelet.Runtime;
using KubeMesh.Kubelet.Runtime.Cgroups;

namespace KubeMesh.Kubelet.Tests.Runtime;

public sealed class ProcessContainerRuntimeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task StartContainer_NginxInTwoPods_EachServesWelcomePageOnPort80OfItsOwnIp()
    {
        await using var fixture = new RuntimeFixture();
        var first = fixture.NewPod();
        var second = fixture.NewPod();
        await fixture.StartAsync(first, new ContainerSpec("nginx", "nginx:1.14.2"));
        await fixture.StartAsync(second, new ContainerSpec("nginx", "docker.io/library/nginx"));

        Assert.Contains("Welcome to nginx!", await RuntimeFixture.GetAsync(first.PodIp, 80));
        Assert.Contains("Welcome to nginx!", await RuntimeFixture.GetAsync(second.PodIp, 80));
        Assert.NotEqual(first.PodIp, second.PodIp);
    }

    [Fact]
    public async Task StartContainer_WritesToTmp_VisibleOnlyInsideThatContainer()
    {
        await using var fixture = new RuntimeFixture();
        var marker = "/tmp/ready-" + Guid.NewGuid().ToString("N");
        var writer = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("writer", "busybox")
        {
            Command = ["sh", "-c", $"echo ready > {marker} && sleep 300"],
        });
        var other = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("other", "busybox") { Command = ["sleep", "300"] });

        var seen = await Eventually.Until(() => fixture.Runtime.ExecAsync(writer, ["cat", marker], TimeSpan.FromSeconds(10)), r => r.ExitCode == 0, Wait, "the other container sees the marker");
        Assert.Equal("ready\n", seen.Output);
        Assert.False(File.Exists(marker));
        var elsewhere = await fixture.Runtime.ExecAsync(other, ["cat", marker], TimeSpan.FromSeconds(10));
        Assert.NotEqual(0, elsewhere.ExitCode);
    }

    [Fact]
    public async Task StartContainer_TwoContainersShareEmptyDir_NginxServesWhatTheOtherWrote()
    {
        await using var fixture = new RuntimeFixture();
        var hostHadData = Directory.Exists("/data");
        var hostPage = "/usr/share/nginx/html/index.html";
        var hostPageBefore = File.Exists(hostPage) ? await File.ReadAllTextAsync(hostPage) : null;
        var pod = fixture.NewPod("shared-data");
        await fixture.StartAsync(pod, new ContainerSpec("nginx", "nginx:1.14.2") { Mounts = [new("shared-data", "/usr/share/nginx/html")] });
        await fixture.StartAsync(pod, new ContainerSpec("writer", "busybox")
        {
            Command = ["sh", "-c", "echo written-by-sidecar > /data/index.html && sleep 300"],
            Mounts = [new("shared-data", "/data")],
        });

        var page = await Eventually.Until(() => RuntimeFixture.GetAsync(pod.PodIp, 80), p => p.Contains("written-by-sidecar"), Wait, "nginx serves the sidecar's page");
        Assert.Equal("written-by-sidecar\n", page);
        // The node may have its own nginx installed; what matters is that the container's writes and mount points stay its own.
        Assert.False(!hostHadData && Directory.Exists("/data"), "mount points must not appear on the node");
        Assert.Equal(hostPageBefore, File.Exists(hostPage) ? await File.ReadAllTextAsync(hostPage) : null);
    }

    [Fact]
    public async Task StartContainer_NginxWithCommandAndArgs_RunsEchoLogsHelloAndExitsZero()
    {
        await using var fixture = new RuntimeFixture();
        var handle = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("nginx", "nginx:1.14.2") { Command = ["/bin/echo"], Args = ["hello"] });

        var status = await fixture.WaitAsync(handle);

        Assert.Equal((ContainerState.Exited, 0, "Completed"), (status.State, status.ExitCode, status.Reason));
        Assert.Equal("hello", await fixture.LogAsync(handle));
    }

    [Fact]
    public async Task ExecStreaming_InRunningContainer_StreamsStdoutAndStderrApartAndReturnsTheExitCode()
    {
        await using var fixture = new RuntimeFixture();
        var marker = "/tmp/exec-" + Guid.NewGuid().ToString("N");
        var handle = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("c", "busybox") { Command = ["sh", "-c", $"echo in-container > {marker}; sleep 300"] });
        var (stdout, stderr) = (new StringBuilder(), new StringBuilder());

        var code = await fixture.Runtime.ExecStreamingAsync(
            handle,
            ["sh", "-c", $"sleep 1; cat {marker}; echo oops >&2; exit 3"],
            (error, data) =>
            {
                (error ? stderr : stdout).Append(Encoding.UTF8.GetString(data.Span));
                return Task.CompletedTask;
            },
            new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.Equal((3, "in-container\n", "oops\n"), (code, stdout.ToString(), stderr.ToString()));
    }

    [Fact]
    public async Task ExecStreaming_WithStdin_TheCommandReadsItUntilItIsClosed()
    {
        await using var fixture = new RuntimeFixture();
        var handle = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("c", "busybox") { Command = ["sh", "-c", "sleep 300"] });
        var stdout = new StringBuilder();

        // tr ends only when its stdin does: the exit code proves stdin was closed after the writer returned.
        var code = await fixture.Runtime.ExecStreamingAsync(
            handle,
            ["sh", "-c", "tr a-z A-Z; exit 4"],
            (error, data) =>
            {
                if (!error)
                {
                    stdout.Append(Encoding.UTF8.GetString(data.Span));
                }

                return Task.CompletedTask;
            },
            new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token,
            async (stdin, ct) =>
            {
                await stdin.WriteAsync("hello\n"u8.ToArray(), ct);
                await stdin.WriteAsync("kubectl exec -i\n"u8.ToArray(), ct);
            });

        Assert.Equal((4, "HELLO\nKUBECTL EXEC -I\n"), (code, stdout.ToString()));
    }

    [Fact]
    public async Task StartContainer_ShellWithEnv_ExpandsTheVariable()
    {
        await using var fixture = new RuntimeFixture();
        var handle = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("mycontainer1", "busybox")
        {
            Command = ["sh", "-c", "echo ENV_VAR1=$ENV_VAR1 && exit 3"],
            Env = [new("ENV_VAR1", "value1")],
        });

        var status = await fixture.WaitAsync(handle);

        Assert.Equal((3, "Error"), (status.ExitCode, status.Reason));
        Assert.Equal("ENV_VAR1=value1", await fixture.LogAsync(handle));
    }

    [Fact]
    public async Task StartContainer_HttpEcho_AnswersItsTextOnTheListenPortAndLogsTheRequest()
    {
        await using var fixture = new RuntimeFixture();
        var pod = fixture.NewPod();
        var handle = await fixture.StartAsync(pod, new ContainerSpec("echo", "hashicorp/http-echo:0.2.3") { Args = ["-listen=:5678", "-text=apple"] });

        Assert.Equal("apple\n", await RuntimeFixture.GetAsync(pod.PodIp, 5678, "/any/path?q=1"));
        var log = await Eventually.Until(() => fixture.LogAsync(handle), l => l.Contains("\"GET /any/path HTTP/1.1\" 200 6 ", StringComparison.Ordinal), Wait, "the request is logged");
        Assert.Matches($@"{Regex.Escape(pod.PodIp.ToString())}:5678 \S+:\d+ \[\d{{4}}/\d\d/\d\d \d\d:\d\d:\d\d\] ""GET /any/path HTTP/1.1"" 200 6 "".*"" [\d.]+(ns|µs|ms|s)", log);
    }

    [Fact]
    public async Task StartContainer_HttpEchoUnderConcurrentLoad_LogsEveryRequestOnItsOwnLine_UpToItsStop()
    {
        await using var fixture = new RuntimeFixture();
        var pod = fixture.NewPod();
        var handle = await fixture.StartAsync(pod, new ContainerSpec("echo", "hashicorp/http-echo:0.2.3") { Args = ["-listen=:5678", "-text=apple"] });
        await RuntimeFixture.GetAsync(pod.PodIp, 5678, "/warm");

        // Lines of the same few milliseconds leave the pod in one write: none may be lost, split or run together.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var requests = Enumerable.Range(0, 400).Select(i => client.GetStringAsync($"http://{pod.PodIp}:5678/r/{i}"));
        Assert.All(await Task.WhenAll(requests), body => Assert.Equal("apple\n", body));

        // SIGTERM at once: the lines still gathering are written before the pod exits.
        var status = await fixture.Runtime.StopContainerAsync(handle, TimeSpan.FromSeconds(10));
        Assert.Equal(0, status.ExitCode);
        var lines = (await fixture.LogAsync(handle)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var logged = lines.Select(l => Regex.Match(l, @"^\S+ \S+ \[[^\]]+\] ""GET /r/(\d+) HTTP/1.1"" 200 6 "))
            .Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 400), logged);
    }

    [Fact]
    public async Task StartContainer_AcmeSolver_ServesTheKeyForItsDomainAndTokenOnly()
    {
        await using var fixture = new RuntimeFixture();
        var pod = fixture.NewPod();
        await fixture.StartAsync(pod, new ContainerSpec("acmesolver", "quay.io/jetstack/cert-manager-acmesolver:v1.16.2")
        {
            Args = ["--listen-port=8089", "--domain=example.com", "--token=abc", "--key=abc.thumbprint"],
        });
        Assert.Equal("", await RuntimeFixture.GetAsync(pod.PodIp, 8089, "/healthz"));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        async Task<(int, string)> Get(string host, string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{pod.PodIp}:8089{path}");
            request.Headers.Host = host;
            using var response = await client.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        Assert.Equal((200, "abc.thumbprint"), await Get("example.com", "/.well-known/acme-challenge/abc"));
        Assert.Equal(404, (await Get("example.com", "/.well-known/acme-challenge/other")).Item1);
        Assert.Equal(404, (await Get("other.example.com", "/.well-known/acme-challenge/abc")).Item1);
        Assert.Equal(404, (await Get("example.com", "/abc")).Item1);
    }

    [Fact]
    public async Task StopContainer_ProcessIgnoresSigterm_KilledAfterGracePeriodWithWholeTree()
    {
        await using var fixture = new RuntimeFixture();
        var handle = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("stubborn", "busybox")
        {
            Command = ["sh", "-c", "trap '' TERM; sleep 300 & wait; sleep 300"],
        });
        // sleep runs only once the shell has set its trap: from then on SIGTERM is ignored.
        await Eventually.Until(() => SleepsUnder(handle.Pid).Any(), Wait, "the container's shell has set its trap and started sleep");
        var stopwatch = Stopwatch.StartNew();

        var status = await fixture.Runtime.StopContainerAsync(handle, TimeSpan.FromSeconds(1));

        // Timers fire on a millisecond clock and may end up to a tick or two before a Stopwatch says the second is over.
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(20), $"stopped after {stopwatch.Elapsed}, before the grace period");
        Assert.Equal((137, 9), (status.ExitCode, status.Signal));
        Assert.False(IsLive(handle.Pid), "the container's PID 1 must be gone");
        Assert.Empty(SleepsUnder(Environment.ProcessId));
    }

    [Fact]
    public async Task StopContainer_ProcessHandlesSigterm_ExitsBeforeGracePeriod()
    {
        await using var fixture = new RuntimeFixture();
        var handle = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("polite", "busybox") { Command = ["sleep", "300"] });
        // Only once the container's init forwards signals does SIGTERM reach the command; before that
        // PID 1 of a new PID namespace ignores it and the stop falls through to SIGKILL.
        await Eventually.Until(() => fixture.Runtime.ExecAsync(handle, ["sh", "-c", "pgrep -x sleep"], TimeSpan.FromSeconds(10)), r => r.ExitCode == 0, Wait, "the container runs sleep");

        var status = await fixture.Runtime.StopContainerAsync(handle, TimeSpan.FromSeconds(20)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal((143, 15), (status.ExitCode, status.Signal));
    }

    [Fact]
    public async Task StopContainer_RightAfterStart_SigtermIsNotLostAndEndsItBeforeGracePeriod()
    {
        await using var fixture = new RuntimeFixture();
        var handle = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("fresh", "busybox") { Command = ["sleep", "300"] });

        // No wait for the command: a liveness kill or a delete can come while PID 1 is still becoming the init.
        var status = await fixture.Runtime.StopContainerAsync(handle, TimeSpan.FromSeconds(30)).WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal((143, 15), (status.ExitCode, status.Signal));
    }

    [Fact]
    public async Task StartContainer_UnknownImage_ThrowsErrImagePullListingAvailableImages()
    {
        await using var fixture = new RuntimeFixture();

        var error = await Assert.ThrowsAsync<ImagePullException>(() => fixture.StartAsync(fixture.NewPod(), new ContainerSpec("x", "redis:7")));

        Assert.Equal("ErrImagePull", error.Reason);
        Assert.Contains("available images: alpine, busybox, hashicorp/http-echo, jetstack/cert-manager-acmesolver, nginx", error.Message);
    }

    [Fact]
    public async Task StartContainer_UserNamespaceMode_RunsWithPrivateTmp()
    {
        await using var fixture = new RuntimeFixture(IsolationMode.UserNamespace);
        var marker = "/tmp/userns-" + Guid.NewGuid().ToString("N");
        var handle = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("c", "alpine") { Command = ["sh", "-c", $"echo in-userns > {marker} && cat {marker} && hostname"] });

        var status = await fixture.WaitAsync(handle);

        Assert.Equal(IsolationMode.UserNamespace, fixture.Runtime.Isolation);
        Assert.Equal(0, status.ExitCode);
        Assert.StartsWith("in-userns\npod-", await fixture.LogAsync(handle));
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task ContainerExits_StrayHoldsItsStdout_StrayIsKilledAndTheLogKeepsEveryLine()
    {
        // No PID namespace and no cgroup: only the runtime can end what the container's shell left running.
        await using var fixture = new RuntimeFixture(IsolationMode.None, cgroups: CgroupMode.None);
        var strayPid = Path.Combine(fixture.StateDirectory, "stray-" + Guid.NewGuid().ToString("N"));
        var handle = await fixture.StartAsync(fixture.NewPod(), new ContainerSpec("c", "busybox")
        {
            Command = ["sh", "-c", $"sleep 300 & echo $! > {strayPid}; echo one; echo two; exit 3"],
        });

        var status = await fixture.WaitAsync(handle);

        Assert.Equal((ContainerState.Exited, 3), (status.State, status.ExitCode));
        Assert.Equal("one\ntwo", await fixture.LogAsync(handle));
        var stray = int.Parse(await File.ReadAllTextAsync(strayPid), CultureInfo.InvariantCulture);
        await Eventually.Until(() => !IsLive(stray), Wait, "the container's stray sleep is gone with it");
    }

    [Fact]
    public async Task StartContainer_SecondInstance_KeepsPreviousInstanceLogs()
    {
        await using var fixture = new RuntimeFixture();
        var pod = fixture.NewPod();
        var first = await fixture.StartAsync(pod, new ContainerSpec("c", "busybox") { Command = ["echo", "first"] });
        await fixture.WaitAsync(first);
        var second = await fixture.StartAsync(pod, new ContainerSpec("c", "busybox") { Command = ["echo", "second"], Attempt = 1 });
        await fixture.WaitAsync(second);

        Assert.Equal("second", await fixture.LogAsync(second));
        Assert.Equal("first", await fixture.LogAsync(second, previous: true));
    }

    [Fact]
    public async Task Initialize_ContainersLeftByEarlierRun_AreKilled()
    {
        var earlier = new RuntimeFixture();
        var handle = await earlier.StartAsync(earlier.NewPod(), new ContainerSpec("left", "busybox") { Command = ["sleep", "300"] });
        Assert.True(Directory.Exists($"/proc/{handle.Pid}"));

        await using var restarted = new RuntimeFixture(stateDirectory: earlier.StateDirectory);
        await restarted.Runtime.InitializeAsync(CancellationToken.None);

        await Eventually.Until(() => !IsLive(handle.Pid), Wait, "the container's PID 1 is gone");
    }

    private static bool IsLive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static IEnumerable<int> Ancestors(int pid)
    {
        for (var i = 0; i < 10 && pid > 1; i++)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                pid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
            }
            catch (IOException)
            {
                yield break;
            }

            yield return pid;
        }
    }

    /// <summary>The live `sleep 300` processes descended from <paramref name="ancestor"/>.</summary>
    private static IEnumerable<int> SleepsUnder(int ancestor) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ReadCommandLine(pid) == "sleep\0" + "300\0" && IsLive(pid) && Ancestors(pid).Contains(ancestor));

    private static string ReadCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return "";
        }
    }
}
