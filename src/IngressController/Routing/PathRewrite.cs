using System.Text.RegularExpressions;

namespace KubeMesh.IngressController.Routing;

/// <summary>
/// nginx.ingress.kubernetes.io/rewrite-target. With use-regex the path's regular expression is applied and the
/// target, with $1, $2... from its groups, becomes the path (nginx's rewrite). Without it the target replaces the
/// matched prefix: with rule /api and target /, "/api/x" becomes "/x" and "/api" becomes "/".
/// </summary>
internal sealed class PathRewrite(string target, PathMatch match)
{
    private readonly string _target = target;
    private readonly string _targetBase = target.TrimEnd('/');

    public string Target => _target;

    public string Rewrite(string path)
    {
        if (match.Kind == PathMatchKind.Regex)
        {
            var m = match.Regex!.Match(path);
            return m.Success ? Normalize(m.Result(_target)) : path;
        }

        var remainder = match.Kind switch
        {
            PathMatchKind.Prefix => path.Length >= match.Path.Length ? path[match.Path.Length..] : "",
            PathMatchKind.Exact => "",
            _ => path,
        };
        return Normalize(_targetBase + remainder);
    }

    private static string Normalize(string path) =>
        path.Length == 0 ? "/" : path[0] == '/' ? path : "/" + path;
}
