using KubeMesh.Kubelet.Runtime;

namespace KubeMesh.Kubelet.Images;

/// <summary>
/// The images this node can run, any tag. There is no pull: nginx, hashicorp/http-echo and cert-manager's acmesolver are served
/// by the KubeMesh.Images program, busybox and alpine run their commands with the node's /bin/sh and
/// coreutils (inside the container's own view of the files).
/// </summary>
public sealed class ImageRegistry
{
    private readonly Dictionary<string, BuiltInImage> _images;

    public ImageRegistry(ImageRegistryOptions options)
    {
        string[] images = [options.DotnetHostPath, options.ImagesAssemblyPath];
        var shell = new BuiltInImage("busybox", [], ["sh"]);
        _images = new Dictionary<string, BuiltInImage>(StringComparer.Ordinal)
        {
            ["nginx"] = new("nginx", [.. images, "nginx"], []),
            ["hashicorp/http-echo"] = new("hashicorp/http-echo", [.. images, "http-echo"], []),
            ["jetstack/cert-manager-acmesolver"] = new("jetstack/cert-manager-acmesolver", [.. images, "acmesolver"], []),
            ["busybox"] = shell,
            ["alpine"] = shell with { Repository = "alpine", Cmd = ["/bin/sh"] },
        };
    }

    public IReadOnlyCollection<string> Available => _images.Keys.Order(StringComparer.Ordinal).ToList();

    /// <exception cref="ImagePullException">The image is not one of <see cref="Available"/>.</exception>
    public BuiltInImage Resolve(string image)
    {
        if (string.IsNullOrWhiteSpace(image))
        {
            throw new ImagePullException(image, "image: Required value");
        }

        var reference = ImageReference.Parse(image);
        if (_images.TryGetValue(reference.Repository, out var builtIn))
        {
            return builtIn;
        }

        throw new ImagePullException(image,
            $"Failed to pull image \"{image}\": repository {reference.Repository} not found on this node; " +
            $"available images: {string.Join(", ", Available)} (any tag)");
    }
}
