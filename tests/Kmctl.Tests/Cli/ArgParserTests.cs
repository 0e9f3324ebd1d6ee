using KubeMesh.Kmctl.Cli;
using KubeMesh.Kmctl.Commands;

namespace KubeMesh.Kmctl.Tests.Cli;

public sealed class ArgParserTests
{
    private static readonly IReadOnlyList<FlagSpec> GetFlags = [.. KmctlApp.GlobalFlags, .. new GetCommand().Flags];

    [Fact]
    public void Parse_InterspersedFlagsInEveryForm_CollectsValuesAndWords()
    {
        var args = ArgParser.Parse(["pods", "-n", "kube-system", "nginx", "-owide", "--selector=app=web", "-L", "a,b", "-L=c", "-Aw"], GetFlags);
        Assert.Equal(["pods", "nginx"], args.Positionals);
        Assert.Equal("kube-system", args.Value("namespace"));
        Assert.Equal("wide", args.Value("output"));
        Assert.Equal("app=web", args.Value("selector"));
        Assert.Equal(["a", "b", "c"], args.CommaValues("label-columns"));
        Assert.True(args.Bool("all-namespaces"));
        Assert.True(args.Bool("watch"));
    }

    [Fact]
    public void Parse_DoubleDash_KeepsTheRestForTheContainer()
    {
        var args = ArgParser.Parse(["web", "--image", "busybox", "--", "sh", "-c", "echo hi"], [.. KmctlApp.GlobalFlags, .. new RunCommand().Flags]);
        Assert.Equal(["web"], args.Positionals);
        Assert.Equal(["sh", "-c", "echo hi"], args.AfterDashes);
    }

    [Fact]
    public void Parse_BoolFlagWithExplicitFalse_IsFalse() =>
        Assert.False(ArgParser.Parse(["pods", "--show-labels=false"], GetFlags).Bool("show-labels"));

    [Theory]
    [InlineData("--bogus", "unknown flag: --bogus")]
    [InlineData("-z", "unknown shorthand flag: 'z' in -z")]
    [InlineData("--output", "flag needs an argument: --output")]
    public void Parse_BadFlag_ThrowsKubectlsMessage(string flag, string message) =>
        Assert.Equal(message, Assert.Throws<UsageException>(() => ArgParser.Parse(["pods", flag], GetFlags)).Message);

    [Theory]
    [InlineData(true, "help")]
    [InlineData(true, "--server", "x", "help")]
    [InlineData(true, "get", "pods", "--help")]
    [InlineData(true, "-n", "ns")]
    [InlineData(false, "-n", "help", "get", "pods")]
    [InlineData(false, "exec", "web", "--", "ls", "-h")]
    public void WantsHelp_HelpWordOrFlagOrNoCommand(bool expected, params string[] args) =>
        Assert.Equal(expected, KmctlApp.WantsHelp(args));

    [Fact]
    public void FindCommand_GlobalFlagBeforeCommand_SkipsItsValue()
    {
        var (command, remaining) = KmctlApp.FindCommand(["-n", "get", "get", "pods"]);
        Assert.Equal("get", command.Name);
        Assert.Equal(["-n", "get", "pods"], remaining);
    }

    [Fact]
    public void ResourceTargetParse_TypeSlashNamePairs_GroupsNamesByKind()
    {
        var targets = ResourceTarget.Parse(["po/a", "deploy/web", "pods/b"]);
        Assert.Equal(2, targets.Count);
        Assert.Equal(["a", "b"], targets[0].Names);
        Assert.Equal("Deployment", targets[1].Kind.Kind);
    }

    [Fact]
    public void ResourceTargetParse_UnknownType_ReportsLikeKubectl() =>
        Assert.Equal("error: the server doesn't have a resource type \"foo\"",
            Assert.Throws<CommandException>(() => ResourceTarget.Parse(["foo"])).Message);
}
