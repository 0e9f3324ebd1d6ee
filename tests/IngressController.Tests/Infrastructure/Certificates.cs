namespace KubeMesh.IngressController.Tests.Infrastructure;

/// <summary>Certificates made by the real openssl, whose output the controller must accept.</summary>
internal static class Certificates
{
    /// <summary>A self-signed certificate and key as the manifest's comment makes them.</summary>
    public static async Task<(string Certificate, string Key)> SelfSignedAsync(string directory, string subject)
    {
        var key = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".key");
        var crt = Path.ChangeExtension(key, ".crt");
        await Tool.RunAsync("openssl", "req", "-x509", "-nodes", "-days", "365", "-newkey", "rsa:2048", "-keyout", key, "-out", crt, "-subj", subject);
        return (await File.ReadAllTextAsync(crt), await File.ReadAllTextAsync(key));
    }
}
