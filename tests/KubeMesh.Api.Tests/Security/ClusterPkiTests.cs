using System.Net;
using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.Security;

namespace KubeMesh.Api.Tests.Security;

public sealed class ClusterPkiTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pki-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Open_SecondTime_ReusesTheCa()
    {
        string first;
        using (var pki = ClusterPki.Open(_directory))
        {
            first = pki.Authority.Certificate.Thumbprint;
        }

        using var again = ClusterPki.Open(_directory);
        Assert.Equal(first, again.Authority.Certificate.Thumbprint);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, "ca.key")));
        }
    }

    [Fact]
    public void Ensure_ClientProfile_SubjectNamesUserAndGroupsAndVerifiesOnlyAsClient()
    {
        using var pki = ClusterPki.Open(_directory);
        var files = pki.Ensure("node-1", CertificateProfile.Client("system:node:node-1", "system:nodes"));

        using var certificate = PemFiles.Load(files.CertFile, files.KeyFile);
        Assert.Equal("system:node:node-1", certificate.GetNameInfo(X509NameType.SimpleName, false));
        Assert.Contains("O=system:nodes", certificate.Subject, StringComparison.Ordinal);
        Assert.True(pki.Trust.Verify(certificate, CertificateUsage.Client));
        Assert.False(pki.Trust.Verify(certificate, CertificateUsage.Server));
    }

    [Fact]
    public void Ensure_ServerProfile_NamesEveryHost()
    {
        using var pki = ClusterPki.Open(_directory);
        var files = pki.Ensure("apiserver", CertificateProfile.Server("kube-apiserver", ["localhost"], [IPAddress.Loopback]));

        using var certificate = PemFiles.Load(files.CertFile, files.KeyFile);
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["localhost"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback], names.EnumerateIPAddresses());
        Assert.True(pki.Trust.Verify(certificate, CertificateUsage.Server));
    }

    [Fact]
    public void Ensure_ValidCertificate_IsKept()
    {
        using var pki = ClusterPki.Open(_directory);
        var profile = CertificateProfile.Client("kubernetes-admin", "system:masters");
        var files = pki.Ensure("admin", profile);
        var before = File.ReadAllText(files.CertFile);

        pki.Ensure("admin", profile);

        Assert.Equal(before, File.ReadAllText(files.CertFile));
    }

    [Fact]
    public void Ensure_NearExpiryOrChangedSubject_IssuesAgain()
    {
        var clock = new MovableClock();
        var profile = CertificateProfile.Client("system:kube-scheduler");
        string before;
        using (var pki = ClusterPki.Open(_directory, clock))
        {
            before = File.ReadAllText(pki.Ensure("scheduler", profile).CertFile);
        }

        clock.Now += TimeSpan.FromDays(300);
        using (var later = ClusterPki.Open(_directory, clock))
        {
            var renewed = later.Ensure("scheduler", profile);
            Assert.NotEqual(before, File.ReadAllText(renewed.CertFile));
            using var certificate = PemFiles.Load(renewed.CertFile, renewed.KeyFile);
            Assert.True(certificate.NotAfter.ToUniversalTime() > clock.Now.UtcDateTime.AddDays(300));

            var regrouped = later.Ensure("scheduler", profile with { Organizations = ["system:masters"] });
            using var changed = PemFiles.Load(regrouped.CertFile, regrouped.KeyFile);
            Assert.Contains("O=system:masters", changed.Subject, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Verify_CertificateOfAnotherCa_IsRefused()
    {
        using var pki = ClusterPki.Open(_directory);
        using var other = CertificateAuthority.Create("other", TimeSpan.FromDays(30));
        using var stranger = other.Issue(CertificateProfile.Client("kubernetes-admin", "system:masters"));

        Assert.False(pki.Trust.Verify(stranger, CertificateUsage.Client));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private sealed class MovableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
