using System.Diagnostics;
using System.Text;

namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>
/// Debian's nginx as the baseline: the same reverse proxy as ingress-nginx generates for one rule (upstream
/// keepalive, HTTP/1.1 to the pods, the forwarded headers), from a generated config in a temporary directory;
/// pinned like the other proxies.
/// </summary>
internal sealed class NginxProxy : IAsyncDisposable
{
    private readonly DirectoryInfo _directory;
    private readonly Process _process;

    private NginxProxy(DirectoryInfo directory, Process process, int port)
    {
        _directory = directory;
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The master process; its workers are its children.</summary>
    public int ProcessId => _process.Id;

    public static async Task<NginxProxy> StartAsync(IReadOnlyList<string> upstreams, BenchOptions options)
    {
        var nginx = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nginx is not installed: apt-get install nginx");
        var directory = Directory.CreateTempSubdirectory("kubemesh-bench-nginx");
        var port = Processes.FreePort();
        var config = new StringBuilder()
            // Pinned, nginx gets the one core the other proxies get: one worker, as a .NET proxy is one process.
            // Unpinned, as many workers as cores, as ingress-nginx runs it (worker-processes: auto).
            .AppendLine($"worker_processes {(options.Pin ? 1 : Environment.ProcessorCount)};")
            .AppendLine("daemon off;")
            .AppendLine($"pid {directory.FullName}/nginx.pid;")
            .AppendLine($"error_log {directory.FullName}/error.log warn;")
            .AppendLine("events { worker_connections 8192; multi_accept on; }")
            .AppendLine("http {")
            .AppendLine("  access_log off;")
            .AppendLine($"  client_body_temp_path {directory.FullName}/body; proxy_temp_path {directory.FullName}/proxy;")
            .AppendLine($"  fastcgi_temp_path {directory.FullName}/fastcgi; uwsgi_temp_path {directory.FullName}/uwsgi; scgi_temp_path {directory.FullName}/scgi;")
            .AppendLine("  keepalive_requests 10000;")
            .AppendLine("  upstream pods {");
        foreach (var upstream in upstreams)
        {
            config.AppendLine($"    server {upstream};");
        }

        config.AppendLine("    keepalive 320;")
            .AppendLine("    keepalive_requests 10000;")
            .AppendLine("  }")
            .AppendLine($"  server {{ listen 127.0.0.1:{port}; location / {{")
            .AppendLine("    proxy_pass http://pods; proxy_http_version 1.1; proxy_set_header Connection \"\";")
            .AppendLine("    proxy_set_header Host $host; proxy_set_header X-Real-IP $remote_addr;")
            .AppendLine("    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Proto $scheme;")
            .AppendLine("    proxy_set_header X-Forwarded-Host $host; proxy_set_header X-Forwarded-Port $server_port;")
            .AppendLine("  } }")
            .AppendLine("}");
        var file = Path.Combine(directory.FullName, "nginx.conf");
        await File.WriteAllTextAsync(file, config.ToString());
        var process = Processes.Start(nginx, ["-p", directory.FullName, "-c", file], cpu: options.ProxyCpu);
        var proxy = new NginxProxy(directory, process, port);
        using var http = new HttpClient();
        await Processes.WaitUntilAsync(
            async () => (await http.GetAsync($"http://127.0.0.1:{port}/")).IsSuccessStatusCode, "nginx proxies", TimeSpan.FromSeconds(15));
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await Processes.StopAsync(_process);
        _directory.Delete(recursive: true);
    }
}
