using KubeMesh.Api.Acme.V1;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.CertificateController.Controllers.Certificates;
using KubeMesh.CertificateController.Controllers.Orders;

namespace KubeMesh.CertificateController.Tests;

/// <summary>cert-manager's renewal time and solver selection, as plain functions.</summary>
public sealed class PolicyTests
{
    private static readonly DateTimeOffset NotBefore = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("", null, 60.0)]
    [InlineData("240h", null, 80.0)]
    [InlineData("", 25, 67.5)]
    [InlineData("2400h", null, 60.0)]
    public void RenewalTime_RenewBeforeOrPercentageOrAThird_BeforeNotAfter(string renewBefore, int? percentage, double expectedDays)
    {
        var spec = new CertificateSpec { RenewBefore = renewBefore };
        if (percentage is { } p)
        {
            spec.RenewBeforePercentage = p;
        }

        var renewal = CertificatePolicies.RenewalTime(NotBefore, NotBefore.AddDays(90), spec);

        Assert.Equal(NotBefore.AddDays(expectedDays), renewal);
    }

    [Fact]
    public void Select_MostSpecificSolverWins()
    {
        var fallback = Solver(null);
        var zone = Solver(new CertificateDNSNameSelector { DnsZones = { "example.com" } });
        var deeperZone = Solver(new CertificateDNSNameSelector { DnsZones = { "shop.example.com" } });
        var exact = Solver(new CertificateDNSNameSelector { DnsNames = { "www.shop.example.com" } });
        var labelled = Solver(new CertificateDNSNameSelector { MatchLabels = { ["team"] = "web" } });
        ACMEChallengeSolver[] all = [fallback, zone, deeperZone, exact, labelled];
        var noLabels = new Dictionary<string, string>();

        Assert.Same(exact, SolverSelector.Select(all, "www.shop.example.com", false, noLabels));
        Assert.Same(deeperZone, SolverSelector.Select(all, "api.shop.example.com", false, noLabels));
        Assert.Same(zone, SolverSelector.Select(all, "example.com", false, noLabels));
        Assert.Same(labelled, SolverSelector.Select(all, "other.org", false, new Dictionary<string, string> { ["team"] = "web" }));
        Assert.Same(fallback, SolverSelector.Select(all, "other.org", false, noLabels));
        Assert.Null(SolverSelector.Select(all, "example.com", wildcard: true, noLabels));
    }

    private static ACMEChallengeSolver Solver(CertificateDNSNameSelector? selector) => new()
    {
        Selector = selector,
        Http01 = new ACMEChallengeSolverHTTP01 { Ingress = new ACMEChallengeSolverHTTP01Ingress { Class = "nginx" } },
    };
}
