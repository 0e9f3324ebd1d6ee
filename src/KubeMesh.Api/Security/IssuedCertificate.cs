namespace KubeMesh.Api.Security;

/// <summary>Where one issued certificate and its key live on disk, beside the CA that signed them.</summary>
public sealed record IssuedCertificate(string CertFile, string KeyFile, string CaFile);
