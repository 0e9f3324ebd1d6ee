using KubeMesh.Kmctl.Cli;

namespace KubeMesh.Kmctl.Manifests;

/// <summary>
/// The kubernetes.io/change-cause text --record stores: the program, the words, then every flag given as
/// --name=value, the way kubectl rebuilds its command line ("kubectl apply --filename=app.yaml --record=true").
/// </summary>
public static class ChangeCause
{
    public static string For(string command, ParsedArgs args)
    {
        var words = string.Join("", args.Positionals.Select(p => " " + p));
        var flags = string.Join("", args.Given.Select(f => $" --{f.Name}={f.Value}"));
        return $"kmctl {command}{words}{flags}";
    }
}
