using System.Security.Cryptography;
using KubeMesh.Api.Security;

namespace KubeMesh.AppHost;

/// <summary>
/// The api-server's EncryptionConfiguration in the data directory, written at first start with a fresh AES-256 key
/// and kept after: Secrets are encrypted with aesgcm; identity, listed last, still reads Secrets written before. To
/// rotate, put a new key first, restart, rewrite every Secret, then drop the old key (as with kube-apiserver).
/// </summary>
public static class EncryptionConfigurationFile
{
    public const string FileName = "encryption-config.yaml";

    public static string Ensure(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        PrivateFiles.ReadOrCreate(path, () => $"""
            apiVersion: apiserver.config.k8s.io/v1
            kind: EncryptionConfiguration
            resources:
            - resources:
              - secrets
              providers:
              - aesgcm:
                  keys:
                  - name: key1
                    secret: {Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}
              - identity: {"{}"}

            """);
        return path;
    }
}
