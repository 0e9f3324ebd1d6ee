using System.Buffers;
using KubeMesh.IngressController.Routing;

namespace KubeMesh.IngressController.Configuration;

/// <summary>
/// The ASP.NET Core route template that pre-selects a rule's requests. Templates narrow candidates through the
/// routing DFA; <see cref="IngressMatcherPolicy"/> then checks the path exactly. Paths a template cannot express
/// (regular expressions, unusual characters) fall back to a catch-all and are checked by the policy alone.
/// </summary>
internal static class RouteTemplates
{
    public const string CatchAll = "/{**rest}";

    private static readonly SearchValues<char> Safe = SearchValues.Create(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()+,;=:@/");

    public static string For(PathMatch match)
    {
        if (match.Kind is PathMatchKind.Any or PathMatchKind.Regex || !IsLiteral(match.Path))
        {
            return CatchAll;
        }

        return match.Kind == PathMatchKind.Exact ? match.Path : match.Path + CatchAll;
    }

    private static bool IsLiteral(string path) =>
        path.Length == 0
        || (path[0] == '/' && !path.AsSpan().ContainsAnyExcept(Safe) && !path.Contains("//", StringComparison.Ordinal)
            && !path.Contains("/.", StringComparison.Ordinal));
}
