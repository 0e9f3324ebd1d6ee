namespace KubeMesh.Api.Security;

/// <summary>Files holding keys and passwords: written whole or not at all, readable by their owner only unless told.</summary>
public static class PrivateFiles
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes <paramref name="text"/> to a temporary file created with <paramref name="mode"/>, flushed to disk, then renamed over <paramref name="path"/>.</summary>
    public static void Write(string path, string text, UnixFileMode mode = OwnerOnly)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        File.Delete(temporary);
        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The text of <paramref name="path"/>, first written from <paramref name="create"/> when the file does not exist.</summary>
    public static string ReadOrCreate(string path, Func<string> create)
    {
        if (!File.Exists(path))
        {
            Write(path, create());
        }

        return File.ReadAllText(path).Trim();
    }
}
