using Grpc.Core;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Cli;

namespace KubeMesh.Kmctl.Commands;

/// <summary>
/// kubectl auth can-i VERB (RESOURCE[/NAME] | NONRESOURCEURL) [NAME] and kubectl auth whoami: the api-server's own
/// answer for the caller (or, with --as/--as-group, for the user impersonated), so what it says is what holds.
/// can-i prints yes or no and exits 0 or 1.
/// </summary>
public sealed class AuthCommand : ICommand
{
    public string Name => "auth";

    public IReadOnlyList<FlagSpec> Flags { get; } =
        [FlagSpec.Value("as"), FlagSpec.Value("as-group"), FlagSpec.Value("subresource"), FlagSpec.Bool("quiet", 'q')];

    public Task<int> RunAsync(KmctlContext context, CancellationToken cancellationToken) =>
        context.Args.Positionals switch
        {
            ["can-i", .. var rest] => CanIAsync(context, rest, cancellationToken),
            ["whoami"] => WhoAmIAsync(context, cancellationToken),
            ["whoami", ..] => throw new UsageException("whoami takes no arguments"),
            [var other, ..] => throw new UsageException($"unknown command \"{other}\" for \"kmctl auth\": use can-i or whoami"),
            [] => throw new UsageException("kmctl auth needs a subcommand: can-i or whoami"),
        };

    private async Task<int> CanIAsync(KmctlContext context, List<string> args, CancellationToken cancellationToken)
    {
        if (args.Count is < 2 or > 3)
        {
            throw new UsageException("you must specify two or three arguments: verb, resource, and optional resourceName");
        }

        var request = new AccessReviewRequest { Verb = args[0] };
        if (args[1].StartsWith('/'))
        {
            request.NonResourcePath = args[1];
        }
        else
        {
            var (resource, name) = args[1].Split('/', 2) is [var r, var n] ? (r, n) : (args[1], args.Count == 3 ? args[2] : "");
            request.Name = name;
            request.Subresource = context.Args.Value("subresource") ?? "";
            request.Namespace = context.AllNamespaces ? "" : context.Namespace;
            if (resource == "*")
            {
                (request.Resource, request.Group) = ("*", "*");
            }
            else if (ResourceKinds.Find(resource) is { } kind)
            {
                (request.Resource, request.Group) = (kind.Plural, kind.Group);
                request.Namespace = kind.Namespaced ? request.Namespace : "";
            }
            else
            {
                // RESOURCE.GROUP names a kind the client does not know; ask anyway, as kubectl does with a warning.
                var dot = resource.IndexOf('.', StringComparison.Ordinal);
                (request.Resource, request.Group) = dot > 0 ? (resource[..dot], resource[(dot + 1)..]) : (resource, "");
                await context.Err.WriteLineAsync($"Warning: the server doesn't have a resource type '{resource}'");
            }
        }

        var review = await Client(context).CanIAsync(request, Impersonation(context), cancellationToken: cancellationToken);
        if (!context.Args.Bool("quiet"))
        {
            await context.Out.WriteLineAsync(review.Allowed ? "yes" : review.Reason.Length > 0 ? $"no - {review.Reason}" : "no");
        }

        return review.Allowed ? 0 : 1;
    }

    private async Task<int> WhoAmIAsync(KmctlContext context, CancellationToken cancellationToken)
    {
        var user = await Client(context).WhoAmIAsync(new WhoAmIRequest(), Impersonation(context), cancellationToken: cancellationToken);
        var rows = new List<(string, string)> { ("Username", user.Username) };
        if (user.Uid.Length > 0)
        {
            rows.Add(("UID", user.Uid));
        }

        if (user.Groups.Count > 0)
        {
            rows.Add(("Groups", $"[{string.Join(" ", user.Groups)}]"));
        }

        foreach (var (key, value) in user.Extra.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            rows.Add(($"Extra: {key}", $"[{string.Join(" ", value.Items)}]"));
        }

        var width = Math.Max("ATTRIBUTE".Length, rows.Max(r => r.Item1.Length)) + 3;
        await context.Out.WriteLineAsync("ATTRIBUTE".PadRight(width) + "VALUE");
        foreach (var (attribute, value) in rows)
        {
            await context.Out.WriteLineAsync(attribute.PadRight(width) + value);
        }

        return 0;
    }

    private static AuthService.AuthServiceClient Client(KmctlContext context) => new(context.Api.CallInvoker);

    /// <summary>--as and --as-group, sent as the impersonation headers kube-apiserver reads.</summary>
    private static Metadata Impersonation(KmctlContext context)
    {
        var headers = new Metadata();
        if (context.Args.Value("as") is { Length: > 0 } user)
        {
            headers.Add("impersonate-user", user);
        }
        else if (context.Args.Values("as-group").Count > 0)
        {
            throw new UsageException("requesting groups or user-extra for impersonation requires --as");
        }

        foreach (var group in context.Args.Values("as-group"))
        {
            headers.Add("impersonate-group", group);
        }

        return headers;
    }
}
