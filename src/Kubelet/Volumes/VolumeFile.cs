namespace KubeMesh.Kubelet.Volumes;

/// <summary>One file of a projected volume (configMap, secret, downwardAPI): its relative path, bytes and mode.</summary>
public sealed record VolumeFile(string Path, byte[] Content, int Mode);
