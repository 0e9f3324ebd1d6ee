using System.Globalization;

namespace KubeMesh.Testing;

/// <summary>
/// Debian's redis-server (found on PATH), without persistence unless the test is about durability. Where it is not
/// installed, the tests that start it are skipped, saying so.
/// </summary>
public sealed class RedisServer() : StoreServer("redis")
{
    /// <summary>Every write appended to a file before it is acknowledged, for tests of durability.</summary>
    public bool AppendOnly { get; init; }

    protected override (string File, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string?>? Environment) Command() =>
        (Tool.Require("redis-server"),
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--dir", DataDirectory,
            "--save", "",
            "--appendonly", AppendOnly ? "yes" : "no",
            // As the AppHost runs it: the append-only file is fsynced before any reply (etcd fsyncs its WAL before acknowledging).
            "--appendfsync", "always",
            .. (Password is null ? Array.Empty<string>() : ["--requirepass", Password]),
        ],
        null);
}
