using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Kmctl.Cli;
using KubeMesh.Kmctl.Manifests;
using KubeMesh.Kmctl.Printing;

namespace KubeMesh.Kmctl.Commands;

/// <summary>kubectl create -f, create configmap, create secret generic|tls, create namespace, create serviceaccount, create token.</summary>
public sealed class CreateCommand : ICommand
{
    public string Name => "create";

    public IReadOnlyList<FlagSpec> Flags { get; } =
    [
        FlagSpec.Value("filename", 'f'), FlagSpec.Bool("record"), FlagSpec.Value("dry-run"), FlagSpec.Value("output", 'o'),
        FlagSpec.Value("from-literal"), FlagSpec.Value("from-file"), FlagSpec.Value("from-env-file"),
        FlagSpec.Value("cert"), FlagSpec.Value("key"), FlagSpec.Value("type"),
        FlagSpec.Value("audience"), FlagSpec.Value("duration"), FlagSpec.Value("bound-object-kind"), FlagSpec.Value("bound-object-name"),
    ];

    public async Task<int> RunAsync(KmctlContext context, CancellationToken cancellationToken)
    {
        var words = context.Args.Positionals;
        if (words.Count == 0)
        {
            return await new ManifestApplier(context).RunAsync("create", createOnly: true, cancellationToken);
        }

        if (words is ["token", var account])
        {
            return await CreateTokenCommand.RunAsync(context, account, cancellationToken);
        }

        var (kind, obj) = words switch
        {
            ["serviceaccount" or "sa", var name] => (ResourceKinds.ServiceAccount, (IMessage)new ServiceAccount { Metadata = new ObjectMeta { Name = name } }),
            ["configmap" or "cm", var name] => (ResourceKinds.ConfigMap, ConfigMapFrom(context, name)),
            ["secret", "generic", var name] => (ResourceKinds.Secret, GenericSecret(context, name)),
            ["secret", "tls", var name] => (ResourceKinds.Secret, TlsSecret(context, name)),
            ["namespace" or "ns", var name] => (ResourceKinds.Namespace, (IMessage)new Namespace { Metadata = new ObjectMeta { Name = name } }),
            ["configmap" or "cm" or "namespace" or "ns" or "secret" or "serviceaccount" or "sa" or "token", ..] or ["secret", "generic" or "tls", ..] =>
                throw new CommandException("error: exactly one NAME is required, got " + (words.Count - (words[0] == "secret" ? 2 : 1))),
            _ => throw new CommandException($"error: unknown command \"{string.Join(" ", words)}\" for \"kmctl create\""),
        };

        var meta = kind.Metadata(obj);
        if (kind.Namespaced)
        {
            meta.Namespace = context.Namespace;
        }

        var output = OutputFormat.Parse(context.Args.Value("output"));
        if (context.Args.Value("dry-run") is "client" or "true")
        {
            context.Out.Write(output.Kind is OutputKind.Yaml or OutputKind.Json
                ? output.Render(ObjectPrinter.ToNode(kind, obj))
                : $"{ObjectNames.Qualified(kind, meta.Name)} created (dry run)\n");
            return 0;
        }

        try
        {
            var created = await context.Api.CreateAsync(kind, obj);
            context.Out.Write(output.Kind is OutputKind.Yaml or OutputKind.Json
                ? output.Render(ObjectPrinter.ToNode(kind, created))
                : $"{ObjectNames.Qualified(kind, meta.Name)} created\n");
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.AlreadyExists or StatusCode.InvalidArgument)
        {
            throw new CommandException($"error: failed to create {kind.Singular}: {ex.Status.Detail}");
        }

        return 0;
    }

    private static ConfigMap ConfigMapFrom(KmctlContext context, string name)
    {
        var configMap = new ConfigMap { Metadata = new ObjectMeta { Name = name } };
        var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
        foreach (var (key, value) in DataSources.Gather(context.Args, "ConfigMap", name).Data)
        {
            try
            {
                configMap.Data[key] = utf8.GetString(value);
            }
            catch (DecoderFallbackException)
            {
                configMap.BinaryData[key] = ByteString.CopyFrom(value);
            }
        }

        return configMap;
    }

    private static Secret GenericSecret(KmctlContext context, string name)
    {
        var secret = new Secret { Metadata = new ObjectMeta { Name = name }, Type = context.Args.Value("type") ?? "Opaque" };
        foreach (var (key, value) in DataSources.Gather(context.Args, "Secret", name).Data)
        {
            secret.Data[key] = ByteString.CopyFrom(value);
        }

        return secret;
    }

    private static Secret TlsSecret(KmctlContext context, string name)
    {
        var certPath = context.Args.Value("cert") ?? throw new CommandException("error: required flag(s) \"cert\" not set");
        var keyPath = context.Args.Value("key") ?? throw new CommandException("error: required flag(s) \"key\" not set");
        foreach (var path in new[] { certPath, keyPath })
        {
            if (!File.Exists(path))
            {
                throw new CommandException($"error: open {path}: no such file or directory");
            }
        }

        var cert = File.ReadAllText(certPath);
        var key = File.ReadAllText(keyPath);
        try
        {
            using var pair = X509Certificate2.CreateFromPem(cert, key);
        }
        catch (CryptographicException ex)
        {
            throw new CommandException($"error: failed to load key pair {ex.Message}");
        }

        var secret = new Secret { Metadata = new ObjectMeta { Name = name }, Type = "kubernetes.io/tls" };
        secret.Data["tls.crt"] = ByteString.CopyFromUtf8(cert);
        secret.Data["tls.key"] = ByteString.CopyFromUtf8(key);
        return secret;
    }
}
