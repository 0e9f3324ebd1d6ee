using System.Text;
using KubeMesh.Kubelet.Runtime;

namespace KubeMesh.Kubelet.Tests.Runtime;

public sealed class ContainerLogStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("container-logs-").FullName;

    [Fact]
    public async Task PumpAsync_LastLineWithoutNewline_ReadBackAtOnceAsPartial()
    {
        var store = new ContainerLogStore(_root);
        using (var writer = store.OpenWriter("uid", "c", 0))
        {
            // `echo admin && cat /secret/password` with a file that has no newline, while the process keeps running.
            await writer.PumpAsync(new StreamReader(new MemoryStream(Encoding.UTF8.GetBytes("admin\r\npassword"))), "stdout");
        }

        var lines = await ReadAllAsync(store);

        Assert.Equal([("admin", false), ("password", true)], lines.Select(l => (l.Text, l.Partial)));
        Assert.Contains(" stdout P password", await File.ReadAllTextAsync(store.PathFor("uid", "c", 0)));
    }

    [Fact]
    public async Task ReadAsync_PartialRecordsThenTheirEnd_JoinedPerStreamIntoOneLine()
    {
        var store = new ContainerLogStore(_root);
        using (var writer = store.OpenWriter("uid", "c", 0))
        {
            writer.Write("stdout", "hel", partial: true);
            writer.Write("stderr", "warning");
            writer.Write("stdout", "lo");
            writer.Write("stdout", "wor", partial: true);
        }

        var lines = await ReadAllAsync(store);

        Assert.Equal([("stderr", "warning", false), ("stdout", "hello", false), ("stdout", "wor", true)], lines.Select(l => (l.Stream, l.Text, l.Partial)));
        Assert.Equal(["hello", "wor"], (await ReadAllAsync(store, tail: 2)).Select(l => l.Text));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<List<LogLine>> ReadAllAsync(ContainerLogStore store, int? tail = null)
    {
        var lines = new List<LogLine>();
        await foreach (var line in store.ReadAsync("uid", "c", tail: tail))
        {
            lines.Add(line);
        }

        return lines;
    }
}
