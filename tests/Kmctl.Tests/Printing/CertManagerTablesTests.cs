using Google.Protobuf;
using KubeMesh.Api.Acme.V1;
using KubeMesh.Api.CertManager.Meta.V1;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Printing;
using static KubeMesh.Kmctl.Tests.Printing.TestObjects;

namespace KubeMesh.Kmctl.Tests.Printing;

/// <summary>cert-manager's printer columns, as kubectl shows them for its CRDs.</summary>
public sealed class CertManagerTablesTests
{
    [Fact]
    public void Print_Certificates_ShowReadySecretAndAge()
    {
        var ready = Certificate("example-tls", "True", "Certificate is up to date and has not expired");
        var issuing = Certificate("other-tls", "False", "Issuing certificate as Secret does not exist");

        Assert.Equal(
            "NAME          READY   SECRET        AGE\n" +
            "example-tls   True    example-tls   90s\n" +
            "other-tls     False   other-tls     90s\n",
            TablePrinter.Print(ResourceKinds.Certificate, [ready, issuing], new TableOptions(), Now));
    }

    [Fact]
    public void Print_CertificatesWide_AddIssuerStatusAndExpiration()
    {
        var certificate = Certificate("example-tls", "True", "Certificate is up to date and has not expired");
        certificate.Status.NotAfter = Ago(TimeSpan.FromDays(-90));

        Assert.Equal(
            "NAME          READY   SECRET        AGE   ISSUER        STATUS                                          EXPIRATION\n" +
            "example-tls   True    example-tls   90s   letsencrypt   Certificate is up to date and has not expired   2026-04-10T12:00:00Z\n",
            TablePrinter.Print(ResourceKinds.Certificate, [certificate], new TableOptions(Wide: true), Now));
    }

    [Fact]
    public void Print_CertificateRequests_ShowApprovalReadinessIssuerAndRequester()
    {
        var request = new CertificateRequest
        {
            Metadata = new ObjectMeta { Name = "example-tls-1", CreationTimestamp = Ago(TimeSpan.FromMinutes(2)) },
            Spec = new CertificateRequestSpec { IssuerRef = new IssuerReference { Name = "letsencrypt", Kind = "ClusterIssuer" }, Username = "system:serviceaccount:cert-manager:cert-manager" },
            Status = new CertificateRequestStatus
            {
                Conditions =
                {
                    new CertificateRequestCondition { Type = "Approved", Status = "True" },
                    new CertificateRequestCondition { Type = "Ready", Status = "True", Reason = "Issued" },
                },
            },
        };

        Assert.Equal(
            "NAME            APPROVED   DENIED   READY   ISSUER        REQUESTER                                         AGE\n" +
            "example-tls-1   True                True    letsencrypt   system:serviceaccount:cert-manager:cert-manager   2m\n",
            TablePrinter.Print(ResourceKinds.CertificateRequest, [(IMessage)request], new TableOptions(), Now));
    }

    [Fact]
    public void Print_IssuersAndClusterIssuers_ShowReady()
    {
        var issuer = new ClusterIssuer
        {
            Metadata = new ObjectMeta { Name = "letsencrypt", CreationTimestamp = Ago(TimeSpan.FromHours(3)) },
            Status = new IssuerStatus { Conditions = { new IssuerCondition { Type = "Ready", Status = "True", Message = "The ACME account was registered with the ACME server" } } },
        };

        Assert.Equal("NAME          READY   AGE\nletsencrypt   True    3h\n", TablePrinter.Print(ResourceKinds.ClusterIssuer, [issuer], new TableOptions(), Now));
        Assert.Equal(
            "NAME          READY   AGE   STATUS\nletsencrypt   True    3h    The ACME account was registered with the ACME server\n",
            TablePrinter.Print(ResourceKinds.ClusterIssuer, [issuer], new TableOptions(Wide: true), Now));
    }

    [Fact]
    public void Print_OrdersAndChallenges_ShowStateAndDomain()
    {
        var order = new Order { Metadata = new ObjectMeta { Name = "example-tls-1-1234", CreationTimestamp = Ago(TimeSpan.FromSeconds(30)) }, Status = new OrderStatus { State = "valid" } };
        var challenge = new Challenge
        {
            Metadata = new ObjectMeta { Name = "example-tls-1-1234-5678", CreationTimestamp = Ago(TimeSpan.FromSeconds(20)) },
            Spec = new ChallengeSpec { DnsName = "example.com" },
            Status = new ChallengeStatus { State = "pending" },
        };

        Assert.Equal("NAME                 STATE   AGE\nexample-tls-1-1234   valid   30s\n", TablePrinter.Print(ResourceKinds.Order, [order], new TableOptions(), Now));
        Assert.Equal(
            "NAME                      STATE     DOMAIN        AGE\nexample-tls-1-1234-5678   pending   example.com   20s\n",
            TablePrinter.Print(ResourceKinds.Challenge, [challenge], new TableOptions(), Now));
    }

    [Theory]
    [InlineData("cert")]
    [InlineData("certs")]
    [InlineData("certificate")]
    [InlineData("certificates.cert-manager.io")]
    [InlineData("cr")]
    [InlineData("iss")]
    [InlineData("ciss")]
    [InlineData("clusterissuer")]
    [InlineData("order")]
    [InlineData("challenges")]
    public void Find_CertManagerNames_AreKnown(string name) =>
        Assert.NotNull(ResourceKinds.Find(name));

    private static Certificate Certificate(string name, string ready, string message) => new()
    {
        Metadata = new ObjectMeta { Name = name, CreationTimestamp = Ago(TimeSpan.FromSeconds(90)) },
        Spec = new CertificateSpec { SecretName = name, IssuerRef = new IssuerReference { Name = "letsencrypt", Kind = "ClusterIssuer" } },
        Status = new CertificateStatus { Conditions = { new CertificateCondition { Type = "Ready", Status = ready, Message = message } } },
    };
}
