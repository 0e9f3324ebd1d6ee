using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.Rbac.V1;
using KubeMesh.ApiServer.Authentication;
using KubeMesh.ApiServer.Authorization;

namespace KubeMesh.ApiServer.Tests.Auth;

/// <summary>Client certificates, token files and rule matching, as units.</summary>
public sealed class CredentialTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ClientCertificate_NamesTheUserByCommonName_AndGroupsByOrganization()
    {
        using var ca = CreateCa("kubemesh-ca");
        using var client = Issue(ca, "CN=jane, O=developers, O=system:masters", clientAuth: true);
        var authenticator = new X509Authenticator([ca], new FixedClock(Now));

        var user = authenticator.Authenticate(client);

        Assert.Equal("jane", user.Name);
        Assert.Equal(["developers", "system:masters"], user.Groups);
    }

    [Fact]
    public void ClientCertificate_OfAnotherCa_IsRefused()
    {
        using var ca = CreateCa("kubemesh-ca");
        using var other = CreateCa("someone-else");
        using var client = Issue(other, "CN=mallory, O=system:masters", clientAuth: true);

        Assert.Throws<AuthenticationException>(() => new X509Authenticator([ca], new FixedClock(Now)).Authenticate(client));
    }

    [Fact]
    public void ClientCertificate_Expired_IsRefused()
    {
        using var ca = CreateCa("kubemesh-ca");
        using var client = Issue(ca, "CN=jane", clientAuth: true);

        Assert.Throws<AuthenticationException>(() => new X509Authenticator([ca], new FixedClock(Now.AddDays(40))).Authenticate(client));
    }

    [Fact]
    public void ClientCertificate_VerifiedOnce_StopsAuthenticatingWhenItExpires()
    {
        using var ca = CreateCa("kubemesh-ca");
        using var client = Issue(ca, "CN=jane, O=developers", clientAuth: true);
        var clock = new MovableClock(Now);
        var authenticator = new X509Authenticator([ca], clock);

        var first = authenticator.Authenticate(client);
        var again = authenticator.Authenticate(client);
        clock.Now = Now.AddDays(40);

        Assert.Equal("jane", first.Name);
        Assert.Same(first, again);
        Assert.Throws<AuthenticationException>(() => authenticator.Authenticate(client));
    }

    [Fact]
    public void ServingCertificate_IsNoClientCredential()
    {
        using var ca = CreateCa("kubemesh-ca");
        using var server = Issue(ca, "CN=kube-apiserver", clientAuth: false);

        Assert.Throws<AuthenticationException>(() => new X509Authenticator([ca], new FixedClock(Now)).Authenticate(server));
    }

    [Fact]
    public void TokenFile_ReadsKubeApiserversCsv()
    {
        var tokens = TokenFile.Parse(["# comment", "", "t1,alice,u1", "t2,bob,u2,\"dev,ops\"", "t3, carol ,u3,solo"], "tokens.csv");

        Assert.Equal(3, tokens.Count);
        Assert.Equal(new UserInfo("bob", "u2", ["dev", "ops"]).Groups, tokens.Find("t2")!.Groups);
        Assert.Equal("carol", tokens.Find("t3")!.Name);
        Assert.Null(tokens.Find("t4"));
        Assert.Null(tokens.Find("t"));
    }

    [Theory]
    [InlineData("t1,alice", "tokens.csv:1: token file lines need at least 3 columns")]
    [InlineData(",alice,u1", "tokens.csv:1: token must not be empty")]
    [InlineData("t1,,u1", "tokens.csv:1: user must not be empty")]
    [InlineData("t1,alice,u1,\"dev", "tokens.csv:1: a quoted field is not closed")]
    public void TokenFile_Malformed_NamesTheLine(string line, string error)
    {
        var e = Assert.Throws<InvalidOperationException>(() => TokenFile.Parse([line], "tokens.csv"));

        Assert.StartsWith(error, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TokenFile_SameTokenTwice_IsRefused() =>
        Assert.Throws<InvalidOperationException>(() => TokenFile.Parse(["t,a,1", "t,b,2"], "tokens.csv"));

    [Theory]
    [InlineData("get", "pods", "", "", true)]
    [InlineData("get", "pods", "log", "", false)]
    [InlineData("create", "pods", "exec", "", true)]
    [InlineData("get", "deployments", "scale", "", true)]
    [InlineData("get", "configmaps", "", "a", true)]
    [InlineData("get", "configmaps", "", "b", false)]
    [InlineData("list", "configmaps", "", "", false)]
    public void Rules_MatchVerbsResourcesSubresourcesAndNames(string verb, string resource, string subresource, string name, bool allowed)
    {
        PolicyRule[] rules =
        [
            new() { Verbs = { "get" }, ApiGroups = { "" }, Resources = { "pods" } },
            new() { Verbs = { "create" }, ApiGroups = { "" }, Resources = { "pods/exec" } },
            new() { Verbs = { "get" }, ApiGroups = { "*" }, Resources = { "*/scale" } },
            new() { Verbs = { "get", "list" }, ApiGroups = { "" }, Resources = { "configmaps" }, ResourceNames = { "a" } },
        ];
        var attributes = new AuthorizationAttributes(UserInfo.AnonymousUser, verb) { Resource = resource, Subresource = subresource, Name = name, Namespace = "default" };

        Assert.Equal(allowed, rules.Any(r => PolicyRules.Allows(r, attributes)));
    }

    [Fact]
    public void Covers_FindsTheFirstMissingGrant()
    {
        PolicyRule[] held = [new() { Verbs = { "get", "list" }, ApiGroups = { "" }, Resources = { "pods" } }];

        Assert.True(PolicyRules.Covers(held, new PolicyRule { Verbs = { "get" }, ApiGroups = { "" }, Resources = { "pods" }, ResourceNames = { "x" } }, out _));
        Assert.False(PolicyRules.Covers(held, new PolicyRule { Verbs = { "get", "delete" }, ApiGroups = { "" }, Resources = { "pods" } }, out var missing));
        Assert.Equal("{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}", PolicyRules.Describe(missing!));
    }

    private static X509Certificate2 CreateCa(string name) => ServingCertificates.CreateCa(name, Now);

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool clientAuth) => ServingCertificates.Issue(ca, subject, clientAuth, Now);
}

/// <summary>A clock that always reads one instant.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>A clock a test sets.</summary>
internal sealed class MovableClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
