using System.Globalization;
using System.Runtime.InteropServices;
using KubeMesh.Kubelet.Runtime;

namespace KubeMesh.Kubelet.Volumes;

/// <summary>
/// Writes a projected volume so a reader never sees half an update (the kubelet's AtomicWriter): the files go
/// into a fresh timestamped directory, the <c>..data</c> symlink is swapped to it with one rename, and each
/// top-level name is a symlink through <c>..data</c>. Readers holding the old directory keep reading it until
/// it is removed.
/// </summary>
public static class AtomicWriter
{
    public const string DataDirName = "..data";
    private const string NewDataDirName = "..data_tmp";

    /// <returns>Whether anything changed on disk.</returns>
    /// <exception cref="ArgumentException">A path is absolute, empty or climbs out of the volume.</exception>
    public static bool Write(string targetDirectory, IReadOnlyList<VolumeFile> files)
    {
        foreach (var file in files)
        {
            Validate(file.Path);
        }

        Directory.CreateDirectory(targetDirectory);
        var dataLink = Path.Combine(targetDirectory, DataDirName);
        var oldTarget = new FileInfo(dataLink).LinkTarget;
        if (oldTarget is not null && Matches(Path.Combine(targetDirectory, oldTarget), files))
        {
            return false;
        }

        var stamp = ".." + DateTime.UtcNow.ToString("yyyy_MM_dd_HH_mm_ss.fffffff", CultureInfo.InvariantCulture);
        var newDirectory = Path.Combine(targetDirectory, stamp);
        Directory.CreateDirectory(newDirectory);
        foreach (var file in files)
        {
            var path = Path.Combine(newDirectory, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, file.Content);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, (UnixFileMode)(file.Mode & 0x1FF));
            }
        }

        var tmpLink = Path.Combine(targetDirectory, NewDataDirName);
        File.Delete(tmpLink);
        File.CreateSymbolicLink(tmpLink, stamp);
        if (NativeMethods.Rename(tmpLink, dataLink) != 0)
        {
            throw new IOException($"rename {tmpLink} to {dataLink} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        var topLevel = files.Select(f => f.Path.Split('/')[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var name in topLevel)
        {
            var link = Path.Combine(targetDirectory, name);
            if (new FileInfo(link).LinkTarget is null && !Path.Exists(link))
            {
                File.CreateSymbolicLink(link, Path.Combine(DataDirName, name));
            }
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(targetDirectory))
        {
            var name = Path.GetFileName(entry);
            if (!name.StartsWith("..", StringComparison.Ordinal) && !topLevel.Contains(name) && new FileInfo(entry).LinkTarget is not null)
            {
                File.Delete(entry);
            }
        }

        if (oldTarget is not null && oldTarget != stamp)
        {
            Directory.Delete(Path.Combine(targetDirectory, oldTarget), recursive: true);
        }

        return true;
    }

    private static void Validate(string path)
    {
        if (string.IsNullOrEmpty(path) || path.StartsWith('/') || path.Split('/').Any(p => p == ".." || p.Length == 0)
            || path.StartsWith("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid path \"{path}\": must be a relative path without '..' and not start with '..'");
        }
    }

    private static bool Matches(string directory, IReadOnlyList<VolumeFile> files)
    {
        if (!Directory.Exists(directory))
        {
            return false;
        }

        var present = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Count();
        return present == files.Count && files.All(f =>
        {
            var path = Path.Combine(directory, f.Path);
            return File.Exists(path) && (OperatingSystem.IsWindows() || (int)File.GetUnixFileMode(path) == (f.Mode & 0x1FF)) && File.ReadAllBytes(path).AsSpan().SequenceEqual(f.Content);
        });
    }
}
