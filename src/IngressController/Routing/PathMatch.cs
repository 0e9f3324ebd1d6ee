using System.Text.RegularExpressions;

namespace KubeMesh.IngressController.Routing;

/// <summary>
/// The exact comparison of a rule's path with a request path. ASP.NET Core's route templates narrow the candidates
/// but compare literals case-insensitively and ignore a trailing slash; the Ingress API does neither.
/// </summary>
internal sealed class PathMatch
{
    private PathMatch(PathMatchKind kind, string path, Regex? regex)
    {
        Kind = kind;
        Path = path;
        Regex = regex;
    }

    public static PathMatch Any { get; } = new(PathMatchKind.Any, "/", null);

    public static PathMatch Never { get; } = new(PathMatchKind.Never, "", null);

    public PathMatchKind Kind { get; }

    /// <summary>The rule's path; for Prefix without its trailing slash ("" for "/").</summary>
    public string Path { get; }

    public Regex? Regex { get; }

    public static PathMatch Exact(string path) => new(PathMatchKind.Exact, path, null);

    public static PathMatch Prefix(string path) => new(PathMatchKind.Prefix, path.TrimEnd('/'), null);

    /// <exception cref="ArgumentException">The path is not a valid regular expression.</exception>
    public static PathMatch ForRegex(string path) =>
        new(PathMatchKind.Regex, path, new Regex("^" + path, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromMilliseconds(100)));

    public bool Matches(ReadOnlySpan<char> requestPath)
    {
        switch (Kind)
        {
            case PathMatchKind.Exact:
                return requestPath.SequenceEqual(Path);
            case PathMatchKind.Prefix:
                // "/api" matches "/api", "/api/" and "/api/x", never "/apix".
                return requestPath.StartsWith(Path, StringComparison.Ordinal)
                    && (requestPath.Length == Path.Length || requestPath[Path.Length] == '/');
            case PathMatchKind.Regex:
                try
                {
                    return Regex!.IsMatch(requestPath);
                }
                catch (RegexMatchTimeoutException)
                {
                    return false;
                }

            case PathMatchKind.Never:
                return false;
            default:
                return true;
        }
    }
}
