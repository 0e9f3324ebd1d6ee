namespace KubeMesh.Kubelet.Images;

/// <summary>An image reference split as Docker does: [registry/]repository[:tag][@digest].</summary>
public sealed record ImageReference(string Repository, string Tag)
{
    public static ImageReference Parse(string image)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        var name = image.Trim();
        var at = name.IndexOf('@');
        if (at >= 0)
        {
            name = name[..at];
        }

        var tag = "latest";
        var colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
        }

        // docker.io/library/nginx, library/nginx and nginx name the same repository.
        var parts = name.Split('/').ToList();
        if (parts.Count > 1 && (parts[0].Contains('.') || parts[0].Contains(':') || parts[0] == "localhost"))
        {
            parts.RemoveAt(0);
        }

        if (parts.Count > 1 && parts[0] == "library")
        {
            parts.RemoveAt(0);
        }

        return new ImageReference(string.Join('/', parts).ToLowerInvariant(), tag);
    }
}
