using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using KubeMesh.Kubelet.Nodes;

namespace KubeMesh.Kubelet.Pods;

/// <summary>
/// A container's environment as the kubelet builds it (makeEnvironmentVariables): envFrom sources first (with
/// their prefix), then env in order, later names overriding earlier ones; each value may refer to the variables
/// defined before it with $(VAR). ConfigMaps and Secrets are read from the api-server; resourceFieldRef reads the
/// container's resources, an unset limit being the node's allocatable amount. The Services' variables
/// (<see cref="ServiceEnvironment"/>) come last, each only where the container does not define the name itself, and
/// $(VAR) may refer to them. A hollow node, whose containers run nothing, has no <see cref="ServiceEnvironment"/> and
/// skips them.
/// </summary>
public sealed class EnvironmentResolver(KubeMeshClient client, NodeAllocatable node, ServiceEnvironment? services = null)
{
    /// <summary>How long a container waits for the kubelet's first list of Services before it fails to start and is retried.</summary>
    public static readonly TimeSpan ServiceSyncTimeout = TimeSpan.FromSeconds(10);

    private readonly ResourceClient<ConfigMap> _configMaps = client.For<ConfigMap>();
    private readonly ResourceClient<Secret> _secrets = client.For<Secret>();

    /// <exception cref="ContainerConfigException">A required ConfigMap, Secret or key is missing, or a field reference cannot be resolved.</exception>
    public async Task<List<KeyValuePair<string, string>>> ResolveAsync(Pod pod, Container container, string podIp, string hostIp, CancellationToken cancellationToken)
    {
        var ns = pod.Metadata.Namespace;
        var serviceEnv = await ServiceVariablesAsync(pod, cancellationToken);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        string? Lookup(string name) => values.TryGetValue(name, out var value) ? value : serviceEnv.GetValueOrDefault(name);
        void Set(string name, string value)
        {
            if (!values.ContainsKey(name))
            {
                order.Add(name);
            }

            values[name] = value;
        }

        foreach (var source in container.EnvFrom)
        {
            if (source.ConfigMapRef is { } configMapRef)
            {
                var configMap = await GetAsync(_configMaps, ns, configMapRef.Name, "configmap", configMapRef.Optional, cancellationToken);
                foreach (var (key, value) in configMap?.Data ?? [])
                {
                    Set(source.Prefix + key, value);
                }
            }
            else if (source.SecretRef is { } secretRef)
            {
                var secret = await GetAsync(_secrets, ns, secretRef.Name, "secret", secretRef.Optional, cancellationToken);
                foreach (var (key, value) in secret?.Data ?? [])
                {
                    Set(source.Prefix + key, value.ToStringUtf8());
                }
            }
        }

        foreach (var env in container.Env)
        {
            if (env.ValueFrom is null)
            {
                Set(env.Name, EnvExpansion.Expand(env.Value, Lookup));
                continue;
            }

            var value = await ValueFromAsync(pod, container, env.ValueFrom, podIp, hostIp, cancellationToken);
            if (value is not null)
            {
                Set(env.Name, value);
            }
        }

        var result = order.Select(name => KeyValuePair.Create(name, values[name])).ToList();
        result.AddRange(serviceEnv.Where(v => !values.ContainsKey(v.Key)).OrderBy(v => v.Key, StringComparer.Ordinal));
        return result;
    }

    private async Task<IReadOnlyDictionary<string, string>> ServiceVariablesAsync(Pod pod, CancellationToken cancellationToken)
    {
        if (services is null)
        {
            return new Dictionary<string, string>();
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ServiceSyncTimeout);
        try
        {
            return await services.ForPodAsync(pod, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ContainerConfigException("services have not yet been read at least once, cannot construct envvars");
        }
    }

    private async Task<string?> ValueFromAsync(Pod pod, Container container, EnvVarSource source, string podIp, string hostIp, CancellationToken cancellationToken)
    {
        var ns = pod.Metadata.Namespace;
        if (source.FieldRef is { } fieldRef)
        {
            return FieldPath.Resolve(pod, fieldRef.FieldPath, podIp, hostIp);
        }

        if (source.ConfigMapKeyRef is { } configMapKey)
        {
            var configMap = await GetAsync(_configMaps, ns, configMapKey.Name, "configmap", configMapKey.Optional, cancellationToken);
            if (configMap is null)
            {
                return null;
            }

            if (configMap.Data.TryGetValue(configMapKey.Key, out var value))
            {
                return value;
            }

            return configMapKey.Optional ? null : throw new ContainerConfigException($"couldn't find key {configMapKey.Key} in ConfigMap {ns}/{configMapKey.Name}");
        }

        if (source.SecretKeyRef is { } secretKey)
        {
            var secret = await GetAsync(_secrets, ns, secretKey.Name, "secret", secretKey.Optional, cancellationToken);
            if (secret is null)
            {
                return null;
            }

            if (secret.Data.TryGetValue(secretKey.Key, out var value))
            {
                return value.ToStringUtf8();
            }

            return secretKey.Optional ? null : throw new ContainerConfigException($"couldn't find key {secretKey.Key} in Secret {ns}/{secretKey.Name}");
        }

        if (source.ResourceFieldRef is { } resourceRef)
        {
            return ResourceField.Resolve(pod, container, resourceRef, node.Resources);
        }

        return null;
    }

    private static async Task<T?> GetAsync<T>(ResourceClient<T> client, string ns, string name, string kind, bool optional, CancellationToken cancellationToken)
        where T : class, Google.Protobuf.IMessage<T>, new()
    {
        try
        {
            return await client.GetAsync(ns, name, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return optional ? null : throw new ContainerConfigException($"{kind} \"{name}\" not found");
        }
    }
}
