using Garnet;

namespace KubeMesh.Store;

/// <summary>
/// The cluster's etcd: a Redis-protocol server (Garnet) in its own process, with an append-only file so a
/// restart keeps every object. Lua scripts run as transactions, which the api-server's writes rely on.
/// </summary>
public static class EmbeddedStore
{
    public static int Run(string[] args)
    {
        var port = Environment.GetEnvironmentVariable("STORE_PORT") ?? "6379";
        var bind = Environment.GetEnvironmentVariable("STORE_BIND") ?? "127.0.0.1";
        var dataDir = Path.GetFullPath(Environment.GetEnvironmentVariable("STORE_DATA_DIR") ?? Path.Combine(".kubemesh", "store"));
        Directory.CreateDirectory(dataDir);
        // The password comes through the environment, never the command line, which every user can read in ps.
        var password = Environment.GetEnvironmentVariable("STORE_PASSWORD");
        string[] authentication = string.IsNullOrEmpty(password) ? [] : ["--auth", "Password", "--password", password];
        string[] options =
        [
            "--port", port, "--bind", bind,
            "--lua", "true", "--lua-transaction-mode", "true",
            // A write is acknowledged only once its log record is on disk (the device writes through), as etcd
            // acknowledges a put only after its WAL fsync: kill -9 or a power cut loses nothing a client was told of.
            // Replies to reads wait for the log too, so no client ever sees a write that a crash could take back.
            "--aof", "--aof-commit-freq", "0", "--aof-commit-wait", "--recover",
            "--checkpointdir", dataDir,
            // The managed file device: the native one needs a libaio build this Debian does not ship.
            "--device-type", "RandomAccess",
            .. authentication,
            .. args,
        ];

        using var server = new GarnetServer(options);
        server.Start();
        Console.WriteLine($"kubemesh-store: serving the Redis protocol on {bind}:{port}, data in {dataDir}{(authentication.Length > 0 ? ", password required" : "")}");
        using var stop = new ManualResetEventSlim();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Set();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Set();
        stop.Wait();
        return 0;
    }
}
