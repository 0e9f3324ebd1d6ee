using Grpc.Core;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;
using KubeMesh.Kmctl.Api;
using KubeMesh.Kmctl.Cli;

namespace KubeMesh.Kmctl.Manifests;

/// <summary>
/// apply -f and create -f: every document of every file is checked here and then by a server-side dry run
/// before the first write, so a bad file changes nothing.
/// </summary>
public sealed class ManifestApplier(KmctlContext context)
{
    public async Task<int> RunAsync(string verb, bool createOnly, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var files = args.Values("filename");
        if (files.Count == 0)
        {
            throw new CommandException("error: must specify one of -f and -k");
        }

        var sources = ManifestSource.Read(files, Console.In);
        foreach (var source in sources)
        {
            Validate(source);
        }

        var changeCause = args.Bool("record") ? ChangeCause.For(verb, args) : "";
        var dryRun = DryRunMode(args.Value("dry-run"));
        List<(ManifestSource Source, ApplyResponse Response)> planned = [];
        foreach (var source in sources)
        {
            planned.Add((source, await ApplyAsync(source, verb, createOnly, changeCause, dryRun: true, cancellationToken)));
        }

        if (dryRun.Length > 0)
        {
            foreach (var (_, response) in planned)
            {
                Print(response, $" ({dryRun} dry run)");
            }

            return 0;
        }

        foreach (var source in sources)
        {
            Print(await ApplyAsync(source, verb, createOnly, changeCause, dryRun: false, cancellationToken), "");
        }

        return 0;
    }

    private async Task<ApplyResponse> ApplyAsync(ManifestSource source, string verb, bool createOnly, string changeCause, bool dryRun, CancellationToken cancellationToken)
    {
        var request = new ApplyRequest
        {
            Manifest = source.Text,
            Namespace = context.Namespace,
            DryRun = dryRun,
            CreateOnly = createOnly,
            ChangeCause = changeCause,
        };
        try
        {
            return await context.Api.Manifests.ApplyAsync(request, cancellationToken: cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.InvalidArgument or StatusCode.AlreadyExists or StatusCode.NotFound or StatusCode.Aborted)
        {
            var gerund = verb == "create" ? "creating" : "applying";
            throw new CommandException($"Error from server ({ApiErrors.Reason(ex.StatusCode)}): error when {gerund} \"{source.Name}\": {ex.Status.Detail.Trim().Replace("\n", "; ")}");
        }
    }

    private void Print(ApplyResponse response, string suffix)
    {
        foreach (var result in response.Results)
        {
            var kind = ResourceKinds.Find(result.ApiVersion, result.Kind);
            var kindText = kind is null ? result.Kind.ToLowerInvariant() : Printing.ObjectNames.KindWithGroup(kind);
            context.Out.WriteLine($"{kindText}/{result.Name} {result.Action}{suffix}");
        }
    }

    /// <summary>Decodes every document strictly before anything is sent, reporting each field path.</summary>
    private static void Validate(ManifestSource source)
    {
        try
        {
            _ = ManifestDecoder.Decode(source.Text);
        }
        catch (ManifestException ex)
        {
            var errors = ex.Sources.Select(e => e.ToString()).ToList();
            throw new CommandException($"error: error validating \"{source.Name}\": {(errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]")}");
        }
    }

    private static string DryRunMode(string? value) => value switch
    {
        null or "none" or "false" => "",
        "server" => "server",
        "client" or "true" or "" => "client",
        _ => throw new CommandException($"error: Invalid dry-run value ({value}). Must be \"none\", \"server\", or \"client\"."),
    };
}
