namespace KubeMesh.Kubelet.Runtime;

/// <summary>The image cannot be run on this node; the pod worker reports ErrImagePull, then ImagePullBackOff.</summary>
public sealed class ImagePullException(string image, string message) : Exception(message)
{
    public string Image { get; } = image;

    public string Reason => "ErrImagePull";
}
