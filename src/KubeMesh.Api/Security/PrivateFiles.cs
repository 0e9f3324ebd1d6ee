namespace KubeMesh.Api.Security;

/// <summary>Files holding keys and passwords: written whole or not at all, readable by their owner only unless told.</summary>
public static class PrivateFiles
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes <paramref name="text"/> to a temporary file created with <paramref name="mode"/>, flushed to disk, then renamed over <paramref name="path"/>.</summary>
    public static void Write(string path, string text, UnixFileMode mode = OwnerOnly) =>
        File.Move(WriteTemporary(path, text, mode), path, overwrite: true);

    /// <summary>
    /// The text of <paramref name="path"/>, first written from <paramref name="create"/> when the file does not exist.
    /// Two callers at once (two AppHosts, or two tests in one process) both get the first one's text: the check and
    /// the write happen under an exclusive lock on a file beside it.
    /// </summary>
    public static string ReadOrCreate(string path, Func<string> create)
    {
        if (!File.Exists(path))
        {
            using (LockDirectoryOf(path))
            {
                if (!File.Exists(path))
                {
                    Write(path, create());
                }
            }
        }

        return File.ReadAllText(path).Trim();
    }

    /// <summary>
    /// An exclusive lock (flock, through FileShare.None) on <c>.private-files.lock</c> in <paramref name="path"/>'s
    /// directory; the file stays, since deleting a lock file lets a waiter lock the deleted one.
    /// </summary>
    private static FileStream LockDirectoryOf(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var lockFile = Path.Combine(directory, ".private-files.lock");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(10);
            }
        }
    }

    /// <summary>A temporary file of its own beside <paramref name="path"/>, so that concurrent writers never share one.</summary>
    private static string WriteTemporary(string path, string text, UnixFileMode mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        return temporary;
    }
}
