using System.Diagnostics;

namespace KubeMesh.ApiServer.Tests.Infrastructure;

/// <summary>Debian's redis-server, without persistence unless the test is about durability.</summary>
public sealed class RedisServer(bool appendOnly = false) : StoreServer("redis")
{
    public const string Executable = "/usr/bin/redis-server";

    protected override ProcessStartInfo CreateStartInfo()
    {
        var start = new ProcessStartInfo(Executable);
        string[] args =
        [
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--dir", DataDirectory,
            "--save", "",
            "--appendonly", appendOnly ? "yes" : "no",
            // As the AppHost runs it: the append-only file is fsynced before any reply (etcd fsyncs its WAL before acknowledging).
            "--appendfsync", "always",
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }
}
