using System.Net;
using KubeMesh.Api.Security;
using KubeMesh.Client.Credentials;

namespace KubeMesh.Testing;

/// <summary>
/// A cluster PKI in a temporary directory, issued as the AppHost issues it: the api-server's serving certificate for
/// 127.0.0.1 and localhost, and client certificates on demand. Deleted on dispose.
/// </summary>
public sealed class TestPki : IDisposable
{
    public TestPki()
    {
        Pki = ClusterPki.Open(Path.Combine(Path.GetTempPath(), "kubemesh-pki-" + Guid.NewGuid().ToString("N")));
        ApiServer = Pki.Ensure("apiserver", CertificateProfile.Server("kube-apiserver", ["localhost"], [IPAddress.Loopback]));
    }

    public ClusterPki Pki { get; }

    public IssuedCertificate ApiServer { get; }

    /// <summary>The api-server's settings for TLS with this PKI's CA as its client CA.</summary>
    public IReadOnlyDictionary<string, string?> ApiServerSettings => new Dictionary<string, string?>
    {
        ["ApiServer:Tls:CertFile"] = ApiServer.CertFile,
        ["ApiServer:Tls:KeyFile"] = ApiServer.KeyFile,
        ["ApiServer:Tls:ClientCaFile"] = Pki.CaFile,
    };

    /// <summary>A connection to <paramref name="address"/> trusting this CA, as <paramref name="user"/> in <paramref name="groups"/>.</summary>
    public ApiServerConnection ConnectionAs(string address, string user, params string[] groups)
    {
        var files = Client(user, groups);
        return new ApiServerConnection(address)
        {
            CertificateAuthority = PemFiles.LoadBundle(File.ReadAllText(Pki.CaFile)),
            ClientCertificate = PemFiles.Load(files.CertFile, files.KeyFile),
        };
    }

    /// <summary>The files of a client certificate for <paramref name="user"/> in <paramref name="groups"/>.</summary>
    public IssuedCertificate Client(string user, params string[] groups) =>
        Pki.Ensure(user.Replace(':', '-'), CertificateProfile.Client(user, groups));

    public void Dispose()
    {
        Pki.Dispose();
        Directory.Delete(Pki.Directory, recursive: true);
    }
}
