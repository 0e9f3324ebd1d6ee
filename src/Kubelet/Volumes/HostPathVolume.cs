using KubeMesh.Api.Core.V1;
using KubeMesh.Kubelet.Pods;

namespace KubeMesh.Kubelet.Volumes;

/// <summary>A hostPath volume with its type checks (an empty type creates a missing directory, like DirectoryOrCreate).</summary>
public static class HostPathVolume
{
    /// <exception cref="VolumeException">The path fails its type check.</exception>
    public static string SetUp(string name, HostPathVolumeSource source)
    {
        var path = source.Path;
        string Fail(string why) => throw new VolumeException($"MountVolume.SetUp failed for volume \"{name}\" : hostPath type check failed: {path} {why}");
        switch (source.Type)
        {
            case "" or "DirectoryOrCreate":
                if (!File.Exists(path))
                {
                    Directory.CreateDirectory(path);
                }

                break;
            case "Directory":
                if (!Directory.Exists(path))
                {
                    Fail("is not a directory");
                }

                break;
            case "FileOrCreate":
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.Create(path).Dispose();
                }

                break;
            case "File":
                if (!File.Exists(path))
                {
                    Fail("is not a file");
                }

                break;
            default:
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    Fail("does not exist");
                }

                break;
        }

        return path;
    }
}
