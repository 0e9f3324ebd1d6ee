using System.Text.RegularExpressions;

namespace KubeMesh.IngressController.Routing;

/// <summary>
/// nginx.ingress.kubernetes.io/rewrite-target as ingress-nginx renders it: <c>rewrite "(?i)PATH" TARGET break;</c>.
/// When the rule's path (a regular expression, since rewrite-target implies use-regex) matches, the whole request
/// path becomes the target with $1, $2... from its groups; the query string is kept. With rule /api and target /,
/// "/api", "/api/v1/items" and "/apix" all reach the backend as "/".
/// </summary>
internal sealed class PathRewrite
{
    private readonly Regex _pattern;

    public PathRewrite(string target, PathMatch match)
    {
        Target = target;

        // Only an Exact path stays literal under rewrite-target (nginx's "location ="), so its pattern is that path.
        _pattern = match.Regex ?? new Regex(
            "^" + Regex.Escape(match.Path), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
    }

    public string Target { get; }

    public string Rewrite(string path)
    {
        try
        {
            var m = _pattern.Match(path);
            return m.Success ? Normalize(m.Result(Target)) : path;
        }
        catch (RegexMatchTimeoutException)
        {
            return path;
        }
    }

    private static string Normalize(string path) =>
        path.Length == 0 ? "/" : path[0] == '/' ? path : "/" + path;
}
