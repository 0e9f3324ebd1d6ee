using System.Globalization;

namespace KubeMesh.ApiServer.Registry;

/// <summary>metadata.resourceVersion is the store revision of the object's last write, written as a number.</summary>
public static class ResourceVersions
{
    public static long Parse(string resourceVersion) =>
        long.TryParse(resourceVersion, CultureInfo.InvariantCulture, out var rev) && rev >= 0
            ? rev
            : throw ApiErrors.BadRequest($"metadata.resourceVersion: Invalid value: \"{resourceVersion}\": must be a revision number");
}
