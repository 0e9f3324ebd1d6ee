using KubeMesh.Api.Security;

namespace KubeMesh.Api.Tests.Security;

public sealed class PrivateFilesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kubemesh-private-").FullName;

    [Fact]
    public async Task ReadOrCreate_ManyCallersAtOnce_AllGetTheOneTextWritten()
    {
        var path = Path.Combine(_directory, "store-password");
        using var start = new Barrier(16);

        var texts = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(30));
            return PrivateFiles.ReadOrCreate(path, () => $"password-{i}");
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));

        Assert.Single(texts.Distinct());
        Assert.Equal(texts[0], File.ReadAllText(path).Trim());
        Assert.Equal([path], Directory.GetFiles(_directory).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(PrivateFiles.OwnerOnly, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Write_ReplacesTheFileWhole()
    {
        var path = Path.Combine(_directory, "key");
        PrivateFiles.Write(path, "old");
        PrivateFiles.Write(path, "new");

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_directory));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
