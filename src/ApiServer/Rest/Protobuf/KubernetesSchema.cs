using System.Globalization;

namespace KubeMesh.ApiServer.Rest.Protobuf;

/// <summary>The Kubernetes protobuf messages of kubernetes-api.fields (embedded), read once.</summary>
public static class KubernetesSchema
{
    private static readonly Lazy<IReadOnlyDictionary<string, KubernetesMessage>> Messages = new(Load);

    public static KubernetesMessage? Find(string name) => Messages.Value.GetValueOrDefault(name);

    /// <summary>The message of a kind sent as apiVersion/kind: "apps/v1" Deployment is k8s.io.api.apps.v1.Deployment.</summary>
    public static KubernetesMessage? ForKind(string apiVersion, string kind)
    {
        if (kind == "DeleteOptions")
        {
            // Registered in every group-version, as kube's AddToGroupVersion does.
            return Find("k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions");
        }

        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var (group, version) = slash < 0 ? ("core", apiVersion) : (apiVersion[..slash].Split('.')[0], apiVersion[(slash + 1)..]);
        return Find($"k8s.io.api.{group}.{version}.{kind}");
    }

    private static IReadOnlyDictionary<string, KubernetesMessage> Load()
    {
        using var stream = typeof(KubernetesSchema).Assembly.GetManifestResourceStream("KubeMesh.ApiServer.Rest.Protobuf.kubernetes-api.fields")
            ?? throw new InvalidOperationException("kubernetes-api.fields is not embedded");
        using var reader = new StreamReader(stream);
        var messages = new Dictionary<string, KubernetesMessage>(StringComparer.Ordinal);
        Dictionary<int, KubernetesField>? fields = null;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split(' ');
            if (parts[0] == "message")
            {
                fields = [];
                messages[parts[1]] = new KubernetesMessage(parts[1], fields);
                continue;
            }

            var number = int.Parse(parts[0], CultureInfo.InvariantCulture);
            fields![number] = parts[2] switch
            {
                "repeated" => new KubernetesField(number, parts[1], parts[3], Repeated: true),
                "map" => new KubernetesField(number, parts[1], parts[3], MapValueType: parts[4]),
                _ => new KubernetesField(number, parts[1], parts[2]),
            };
        }

        return messages;
    }
}
