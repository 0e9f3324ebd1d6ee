using KubeMesh.Api.Core.V1;
using KubeMesh.Kubelet.Runtime;

namespace KubeMesh.Kubelet.Pods;

/// <summary>
/// Sets up a pod's volumes on the node (the kubelet's volume manager): emptyDir under the pod's directory, which
/// goes with the pod, and hostPath with its type checks (an empty type creates a missing directory, like DirectoryOrCreate).
/// </summary>
public static class PodVolumes
{
    /// <returns>Volume name to the node path bound where containers mount it.</returns>
    /// <exception cref="VolumeException">A volume cannot be set up.</exception>
    public static Dictionary<string, string> Prepare(Pod pod, PodSandbox sandbox)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var volume in pod.Spec.Volumes)
        {
            if (volume.EmptyDir is not null)
            {
                var path = sandbox.EmptyDirPath(volume.Name);
                Directory.CreateDirectory(path);
                paths[volume.Name] = path;
            }
            else if (volume.HostPath is { } hostPath)
            {
                paths[volume.Name] = HostPath(volume.Name, hostPath);
            }
            else
            {
                throw new VolumeException($"MountVolume.SetUp failed for volume \"{volume.Name}\": only emptyDir and hostPath volumes are supported by this kubelet");
            }
        }

        return paths;
    }

    private static string HostPath(string name, HostPathVolumeSource source)
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
