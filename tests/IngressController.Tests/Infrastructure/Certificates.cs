using System.Diagnostics;

namespace KubeMesh.IngressController.Tests.Infrastructure;

/// <summary>The real command-line tools whose output the controller must accept (openssl, htpasswd).</summary>
internal static class Tools
{
    public static async Task<string> RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }.WithArguments(args))!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = process.StandardOutput.ReadToEndAsync(cts.Token);
        var error = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {await error}");
        }

        return await output;
    }

    /// <summary>A self-signed certificate and key as the manifest's comment makes them.</summary>
    public static async Task<(string Certificate, string Key)> SelfSignedAsync(string directory, string subject)
    {
        var key = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".key");
        var crt = Path.ChangeExtension(key, ".crt");
        await RunAsync("openssl", "req", "-x509", "-nodes", "-days", "365", "-newkey", "rsa:2048", "-keyout", key, "-out", crt, "-subj", subject);
        return (await File.ReadAllTextAsync(crt), await File.ReadAllTextAsync(key));
    }

    private static ProcessStartInfo WithArguments(this ProcessStartInfo info, string[] args)
    {
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }
}
