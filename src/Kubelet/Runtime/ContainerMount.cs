namespace KubeMesh.Kubelet.Runtime;

/// <summary>A pod volume (by name, see <see cref="PodSandbox.Volumes"/>) bound at a path inside the container.</summary>
public sealed record ContainerMount(string VolumeName, string MountPath, bool ReadOnly = false);
