using Xunit;

namespace KubeMesh.Testing;

/// <summary>
/// The real command-line tools the tests drive, found on PATH (and in /usr/sbin and /sbin, where Debian puts
/// dnsmasq and which a non-root PATH often lacks). A test whose tool is missing is skipped, saying what to install.
/// </summary>
public static class Tool
{
    private static readonly string[] SystemDirectories = ["/usr/sbin", "/sbin"];

    /// <summary>The Debian package that brings each tool (tests/run installs them all).</summary>
    private static readonly Dictionary<string, string> Packages = new(StringComparer.Ordinal)
    {
        ["redis-server"] = "redis-server",
        ["redis-cli"] = "redis-tools",
        ["dig"] = "bind9-dnsutils",
        ["nslookup"] = "bind9-dnsutils",
        ["dnsmasq"] = "dnsmasq-base",
        ["htpasswd"] = "apache2-utils",
        ["openssl"] = "openssl",
        ["wget"] = "wget",
        ["wrk"] = "wrk",
        ["unshare"] = "util-linux",
        ["nsenter"] = "util-linux",
    };

    /// <summary>The full path of the executable, or null when it is not installed.</summary>
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(SystemDirectories)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(IsExecutable);
    }

    /// <summary>The full path of the executable; where it is missing, skips the test (SkipException) saying how to install it.</summary>
    public static string Require(string name) =>
        Find(name) ?? throw new SkipException(MissingMessage(name));

    /// <summary>Skips the test unless every one of the tools is installed.</summary>
    public static void RequireAll(params string[] names)
    {
        var missing = names.Where(name => Find(name) is null).ToList();
        if (missing.Count > 0)
        {
            throw new SkipException(string.Join("; ", missing.Select(MissingMessage)));
        }
    }

    /// <summary>Skips the test unless it runs as root (binding port 53, writing cgroups), saying why it needs to.</summary>
    public static void RequireRoot(string why)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new SkipException($"needs root: {why}");
        }
    }

    /// <summary>
    /// Runs the tool (skipping the test where it is missing) to its end within a minute and returns its standard
    /// output; a non-zero exit fails the test with what it printed.
    /// </summary>
    public static async Task<string> RunAsync(string name, params string[] args)
    {
        var result = await ChildProcess.RunAsync(TimeSpan.FromMinutes(1), Require(name), args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{name} {string.Join(' ', args)} exited with {result.ExitCode}: {result.Output}");
        }

        return result.StandardOutput;
    }

    public static string MissingMessage(string name) => Packages.TryGetValue(name, out var package)
        ? $"{name} is not installed: apt-get install {package} (tests/run installs every tool the tests use)"
        : $"{name} is not installed (not found on PATH)";

    private static bool IsExecutable(string file) =>
        File.Exists(file) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
