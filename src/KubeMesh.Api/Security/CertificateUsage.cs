namespace KubeMesh.Api.Security;

/// <summary>The extended key usages a leaf certificate is issued with.</summary>
[Flags]
public enum CertificateUsage
{
    Server = 1,
    Client = 2,
}
