using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.Security;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KubeMesh.Client.Credentials;

/// <summary>
/// Reads a kubeconfig (clientcmd's v1 Config) into an <see cref="ApiServerConnection"/>: the current context's cluster
/// (server, certificate-authority or certificate-authority-data) and user (client-certificate(-data) with
/// client-key(-data), or token / tokenFile). Paths are relative to the file, as kubectl reads them. The gRPC address
/// may differ from the REST server kubectl uses: a cluster's extension named <see cref="GrpcExtension"/> with a
/// "servers" list (comma-separated replicas) gives it, so one file serves kubectl and every KubeMesh client.
/// </summary>
public static class Kubeconfig
{
    public const string GrpcExtension = "kubemesh.io/grpc";

    /// <exception cref="KubeconfigException">The file is missing, not YAML, or lacks what its current context names.</exception>
    public static ApiServerConnection Load(string path, string? context = null) => Load(path, context, out _);

    /// <summary>
    /// Loads a kubeconfig found by a search (KUBECONFIG, the default path) only if its cluster names gRPC servers: a
    /// kubeconfig of another cluster, for kubectl only, is not one a gRPC client can use.
    /// </summary>
    public static ApiServerConnection? LoadIfGrpc(string path)
    {
        var connection = Load(path, null, out var grpc);
        return grpc ? connection : null;
    }

    private static ApiServerConnection Load(string path, string? context, out bool grpc)
    {
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(path))
            {
                stream.Load(reader);
            }

            root = stream.Documents.FirstOrDefault()?.RootNode as YamlMappingNode
                ?? throw new KubeconfigException(path, "not a kubeconfig (no mapping at its root)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or YamlException)
        {
            throw new KubeconfigException(path, e.Message);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var contextName = context ?? Scalar(root, "current-context")
            ?? throw new KubeconfigException(path, "current-context: required");
        var contextNode = Named(path, root, "contexts", contextName, "context");
        var cluster = Named(path, root, "clusters", Scalar(contextNode, "cluster") ?? throw new KubeconfigException(path, $"contexts[{contextName}].context.cluster: required"), "cluster");
        var userName = Scalar(contextNode, "user");
        var user = string.IsNullOrEmpty(userName) ? new YamlMappingNode() : Named(path, root, "users", userName, "user");

        var grpcServers = GrpcServers(cluster);
        grpc = grpcServers is not null;
        var server = grpcServers ?? Scalar(cluster, "server") ?? throw new KubeconfigException(path, "cluster.server: required");
        try
        {
            return new ApiServerConnection(server)
            {
                CertificateAuthority = Bytes(cluster, "certificate-authority", directory) is { } ca ? PemFiles.LoadBundle(System.Text.Encoding.UTF8.GetString(ca)) : null,
                ClientCertificate = ClientCertificate(user, directory),
                BearerToken = Scalar(user, "token") ?? (Scalar(user, "tokenFile") is { } tokenFile ? File.ReadAllText(Resolve(directory, tokenFile)).Trim() : null),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or System.Security.Cryptography.CryptographicException)
        {
            throw new KubeconfigException(path, e.Message);
        }
    }

    private static X509Certificate2? ClientCertificate(YamlMappingNode user, string directory)
    {
        var certificate = Bytes(user, "client-certificate", directory);
        var key = Bytes(user, "client-key", directory);
        if (certificate is null && key is null)
        {
            return null;
        }

        if (certificate is null || key is null)
        {
            throw new FormatException("user: client-certificate and client-key must be given together");
        }

        using var pem = X509Certificate2.CreateFromPem(System.Text.Encoding.UTF8.GetString(certificate), System.Text.Encoding.UTF8.GetString(key));
        // Windows' TLS cannot sign with an ephemeral PEM key; a PKCS#12 round trip gives every platform a key it can use.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    private static string? GrpcServers(YamlMappingNode cluster) =>
        cluster.Children.TryGetValue(new YamlScalarNode("extensions"), out var node) && node is YamlSequenceNode extensions
            ? extensions.OfType<YamlMappingNode>()
                .Where(e => Scalar(e, "name") == GrpcExtension)
                .Select(e => e.Children.TryGetValue(new YamlScalarNode("extension"), out var value) && value is YamlMappingNode m ? Scalar(m, "servers") : null)
                .FirstOrDefault(s => !string.IsNullOrWhiteSpace(s))
            : null;

    /// <summary>FIELD-data (base64) or FIELD (a path), as clientcmd reads certificate-authority, client-certificate and client-key.</summary>
    private static byte[]? Bytes(YamlMappingNode node, string field, string directory) =>
        Scalar(node, field + "-data") is { } data ? Convert.FromBase64String(data)
        : Scalar(node, field) is { } file ? File.ReadAllBytes(Resolve(directory, file))
        : null;

    private static string Resolve(string directory, string file) => Path.IsPathRooted(file) ? file : Path.Combine(directory, file);

    private static YamlMappingNode Named(string path, YamlMappingNode root, string list, string name, string field)
    {
        var entry = root.Children.TryGetValue(new YamlScalarNode(list), out var node) && node is YamlSequenceNode items
            ? items.OfType<YamlMappingNode>().FirstOrDefault(i => Scalar(i, "name") == name)
            : null;
        return entry?.Children.TryGetValue(new YamlScalarNode(field), out var value) == true && value is YamlMappingNode mapping
            ? mapping
            : throw new KubeconfigException(path, $"{list}: no entry named \"{name}\"");
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { Length: > 0 } text } ? text : null;
}
