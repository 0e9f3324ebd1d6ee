using System.Text;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Quantities;
using KubeMesh.Client;
using KubeMesh.Kubelet.Nodes;
using KubeMesh.Kubelet.Pods;
using KubeMesh.Kubelet.Runtime;
using KubeMesh.Kubelet.Token;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Kubelet.Volumes;

/// <summary>
/// Sets up a pod's volumes on the node (the kubelet's volume manager): emptyDir (tmpfs for medium Memory) and
/// configMap, secret and downwardAPI contents under the pod's directory, which go with the pod; hostPath as it
/// is; persistentVolumeClaim as a directory under <see cref="KubeletOptions.ResolveVolumeRoot"/> keyed by the
/// claim, which outlives pods; projected (the kube-api-access volume: a service-account token, the cluster CA and
/// the namespace) in memory. Projected contents are written atomically and rewritten by <see cref="RefreshAsync"/>.
/// </summary>
public sealed partial class VolumeManager(KubeMeshClient client, KubeletOptions options, NodeAllocatable node, ServiceAccountTokenManager tokens, ILogger<VolumeManager> logger)
{
    private const int DefaultMode = 420; // 0644
    private readonly ResourceClient<ConfigMap> _configMaps = client.For<ConfigMap>();
    private readonly ResourceClient<Secret> _secrets = client.For<Secret>();
    private readonly ResourceClient<PersistentVolumeClaim> _claims = client.For<PersistentVolumeClaim>();
    private readonly string _volumeRoot = options.ResolveVolumeRoot();
    private int _warnedNoTmpfs;

    /// <returns>Volume name to the node path bound where containers mount it.</returns>
    /// <exception cref="VolumeException">A volume cannot be set up (FailedMount).</exception>
    public async Task<Dictionary<string, string>> SetUpAsync(Pod pod, PodSandbox sandbox, CancellationToken cancellationToken)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var volume in pod.Spec.Volumes)
        {
            paths[volume.Name] = volume switch
            {
                { EmptyDir: { } emptyDir } => EmptyDir(sandbox, volume.Name, emptyDir),
                { HostPath: { } hostPath } => HostPathVolume.SetUp(volume.Name, hostPath),
                { PersistentVolumeClaim: { } claim } => await ClaimAsync(pod, volume.Name, claim, cancellationToken),
                { ConfigMap: not null } or { Secret: not null } or { DownwardApi: not null } or { Projected: not null } =>
                    await ProjectAsync(pod, sandbox, volume, cancellationToken),
                _ => throw new VolumeException($"MountVolume.SetUp failed for volume \"{volume.Name}\" : no volume source is set"),
            };
        }

        return paths;
    }

    /// <summary>
    /// Rewrites configMap, secret, downwardAPI and projected volumes whose sources changed or whose token is due for
    /// refresh; a failure keeps the old contents.
    /// </summary>
    public async Task RefreshAsync(Pod pod, PodSandbox sandbox, CancellationToken cancellationToken)
    {
        foreach (var volume in pod.Spec.Volumes.Where(v => v.ConfigMap is not null || v.Secret is not null || v.DownwardApi is not null || v.Projected is not null))
        {
            try
            {
                await ProjectAsync(pod, sandbox, volume, cancellationToken);
            }
            catch (Exception e) when (e is VolumeException or IOException or RpcException)
            {
                LogRefreshFailed(logger, pod.Metadata.Namespace, pod.Metadata.Name, volume.Name, e.Message);
            }
        }
    }

    /// <summary>When a projected token of the pod is next due for refresh (80% of its life), for the pod worker to wake then.</summary>
    public DateTimeOffset? TokenRefreshDue(Pod pod) => tokens.RefreshDue(pod.Metadata.Uid);

    /// <summary>Unmounts the pod's memory-backed volumes so its directory can be removed.</summary>
    public static void TearDown(string podDirectory) => Tmpfs.UnmountAllUnder(podDirectory);

    /// <summary>Whether the pod mounts the ConfigMap or Secret (<paramref name="kind"/>) named <paramref name="name"/>.</summary>
    public static bool References(Pod pod, string kind, string name) => Sources(pod).Contains((kind, name));

    /// <summary>The ConfigMaps and Secrets the pod mounts, as (kind, name) in the pod's namespace.</summary>
    public static IEnumerable<(string Kind, string Name)> Sources(Pod pod)
    {
        foreach (var volume in pod.Spec.Volumes)
        {
            if (volume.ConfigMap is { } configMap)
            {
                yield return ("ConfigMap", configMap.Name);
            }
            else if (volume.Secret is { } secret)
            {
                yield return ("Secret", secret.SecretName);
            }
            else if (volume.Projected is { } projected)
            {
                foreach (var source in projected.Sources)
                {
                    if (source.ConfigMap is { } c)
                    {
                        yield return ("ConfigMap", c.Name);
                    }
                    else if (source.Secret is { } s)
                    {
                        yield return ("Secret", s.Name);
                    }
                }
            }
        }
    }

    private string EmptyDir(PodSandbox sandbox, string name, EmptyDirVolumeSource source)
    {
        var path = sandbox.EmptyDirPath(name);
        Directory.CreateDirectory(path);
        if (source.Medium == "Memory")
        {
            long? size = Quantity.TryParse(source.SizeLimit, out var limit) ? limit.Value : null;
            InMemory(path, size, $"emptyDir \"{name}\"");
        }

        return path;
    }

    private void InMemory(string path, long? size, string what)
    {
        if (Tmpfs.CanMount)
        {
            try
            {
                Tmpfs.Mount(path, size);
            }
            catch (IOException e)
            {
                throw new VolumeException($"MountVolume.SetUp failed for volume {what} : {e.Message}");
            }
        }
        else if (Interlocked.Exchange(ref _warnedNoTmpfs, 1) == 0)
        {
            LogNoTmpfs(logger, what);
        }
    }

    private async Task<string> ProjectAsync(Pod pod, PodSandbox sandbox, Volume volume, CancellationToken cancellationToken)
    {
        var (plugin, files) = volume switch
        {
            { ConfigMap: { } source } => ("kubernetes.io~configmap", await ConfigMapFilesAsync(pod, volume.Name, source, cancellationToken)),
            { Secret: { } source } => ("kubernetes.io~secret", await SecretFilesAsync(pod, volume.Name, source, cancellationToken)),
            { Projected: { } source } => ("kubernetes.io~projected", await ProjectedFilesAsync(pod, volume.Name, source, cancellationToken)),
            _ => ("kubernetes.io~downward-api", DownwardApiFiles(pod, volume.Name, volume.DownwardApi.Items, volume.DownwardApi.HasDefaultMode ? volume.DownwardApi.DefaultMode : DefaultMode)),
        };
        var path = Path.Combine(sandbox.PodDirectory, "volumes", plugin, volume.Name);
        if (volume.Secret is not null || volume.Projected is not null)
        {
            // Secrets stay off the disk, as the kubelet keeps them in a tmpfs.
            InMemory(path, null, $"\"{volume.Name}\"");
        }

        try
        {
            if (AtomicWriter.Write(path, files))
            {
                LogVolumeWritten(logger, pod.Metadata.Namespace, pod.Metadata.Name, volume.Name, files.Count);
            }
        }
        catch (ArgumentException e)
        {
            throw new VolumeException($"MountVolume.SetUp failed for volume \"{volume.Name}\" : {e.Message}");
        }

        return path;
    }

    /// <summary>Every source's files in one directory, as the projected volume plugin writes them.</summary>
    private async Task<List<VolumeFile>> ProjectedFilesAsync(Pod pod, string volume, ProjectedVolumeSource source, CancellationToken cancellationToken)
    {
        var mode = source.HasDefaultMode ? source.DefaultMode : DefaultMode;
        var files = new List<VolumeFile>();
        foreach (var projection in source.Sources)
        {
            if (projection.ConfigMap is { } configMap)
            {
                files.AddRange(await ConfigMapFilesAsync(pod, volume, configMap.Name, configMap.Items, mode, configMap.Optional, cancellationToken));
            }
            else if (projection.Secret is { } secret)
            {
                files.AddRange(await SecretFilesAsync(pod, volume, secret.Name, secret.Items, mode, secret.Optional, cancellationToken));
            }
            else if (projection.DownwardApi is { } downward)
            {
                files.AddRange(DownwardApiFiles(pod, volume, downward.Items, mode));
            }
            else if (projection.ServiceAccountToken is { } token)
            {
                try
                {
                    var issued = await tokens.GetAsync(pod, token, cancellationToken);
                    files.Add(new VolumeFile(token.Path, Encoding.UTF8.GetBytes(issued), mode));
                }
                catch (RpcException e) when (e.StatusCode is not StatusCode.Cancelled)
                {
                    throw new VolumeException($"MountVolume.SetUp failed for volume \"{volume}\" : failed to fetch token: {e.Status.Detail}");
                }
            }
        }

        return files;
    }

    private Task<List<VolumeFile>> ConfigMapFilesAsync(Pod pod, string volume, ConfigMapVolumeSource source, CancellationToken cancellationToken) =>
        ConfigMapFilesAsync(pod, volume, source.Name, source.Items, source.HasDefaultMode ? source.DefaultMode : DefaultMode, source.Optional, cancellationToken);

    private async Task<List<VolumeFile>> ConfigMapFilesAsync(
        Pod pod, string volume, string name, IReadOnlyList<KeyToPath> items, int mode, bool optional, CancellationToken cancellationToken)
    {
        var configMap = await GetAsync(_configMaps, pod.Metadata.Namespace, name, "configmap", volume, optional, cancellationToken);
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in configMap?.Data ?? [])
        {
            data[key] = Encoding.UTF8.GetBytes(value);
        }

        foreach (var (key, value) in configMap?.BinaryData ?? [])
        {
            data[key] = value.ToByteArray();
        }

        return KeyFiles(data, items, mode, configMap is null || optional, "configmap", volume);
    }

    private Task<List<VolumeFile>> SecretFilesAsync(Pod pod, string volume, SecretVolumeSource source, CancellationToken cancellationToken) =>
        SecretFilesAsync(pod, volume, source.SecretName, source.Items, source.HasDefaultMode ? source.DefaultMode : DefaultMode, source.Optional, cancellationToken);

    private async Task<List<VolumeFile>> SecretFilesAsync(
        Pod pod, string volume, string name, IReadOnlyList<KeyToPath> items, int mode, bool optional, CancellationToken cancellationToken)
    {
        var secret = await GetAsync(_secrets, pod.Metadata.Namespace, name, "secret", volume, optional, cancellationToken);
        var data = (secret?.Data ?? []).ToDictionary(p => p.Key, p => p.Value.ToByteArray(), StringComparer.Ordinal);
        return KeyFiles(data, items, mode, secret is null || optional, "secret", volume);
    }

    /// <summary>Every key as a file, or only the listed items at their paths (a missing key fails unless the source is optional).</summary>
    private static List<VolumeFile> KeyFiles(
        Dictionary<string, byte[]> data, IReadOnlyList<KeyToPath> items, int mode, bool optional, string kind, string volume)
    {
        if (items.Count == 0)
        {
            return data.Select(p => new VolumeFile(p.Key, p.Value, mode)).ToList();
        }

        var files = new List<VolumeFile>();
        foreach (var item in items)
        {
            if (data.TryGetValue(item.Key, out var content))
            {
                files.Add(new VolumeFile(item.Path, content, item.HasMode ? item.Mode : mode));
            }
            else if (!optional)
            {
                throw new VolumeException($"MountVolume.SetUp failed for volume \"{volume}\" : {kind} references non-existent config key: {item.Key}");
            }
        }

        return files;
    }

    private List<VolumeFile> DownwardApiFiles(Pod pod, string volume, IEnumerable<DownwardAPIVolumeFile> items, int mode)
    {
        var files = new List<VolumeFile>();
        foreach (var item in items)
        {
            try
            {
                var value = item switch
                {
                    { FieldRef: { } field } => FieldPath.Resolve(pod, field.FieldPath, "", ""),
                    { ResourceFieldRef: { } resource } => ResourceField.Resolve(pod, self: null, resource, node.Resources),
                    _ => throw new ContainerConfigException($"items[{item.Path}]: one of fieldRef or resourceFieldRef is required"),
                };
                files.Add(new VolumeFile(item.Path, Encoding.UTF8.GetBytes(value), item.HasMode ? item.Mode : mode));
            }
            catch (ContainerConfigException e)
            {
                throw new VolumeException($"MountVolume.SetUp failed for volume \"{volume}\" : {e.Message}");
            }
        }

        return files;
    }

    private async Task<string> ClaimAsync(Pod pod, string volume, PersistentVolumeClaimVolumeSource source, CancellationToken cancellationToken)
    {
        var ns = pod.Metadata.Namespace;
        var claim = await GetAsync(_claims, ns, source.ClaimName, "persistentvolumeclaim", volume, optional: false, cancellationToken)!;
        if (claim!.Metadata.DeletionTimestamp is not null)
        {
            throw new VolumeException($"MountVolume.SetUp failed for volume \"{volume}\" : persistentvolumeclaim \"{source.ClaimName}\" is being deleted");
        }

        var path = Path.Combine(_volumeRoot, ns, source.ClaimName);
        Directory.CreateDirectory(path);
        if (claim.Status is null || claim.Status.Phase is "" or "Pending")
        {
            // No provisioner runs on this machine: the node's directory is the claim's storage, bound on first use.
            var bound = claim.Clone();
            bound.Status = new PersistentVolumeClaimStatus { Phase = "Bound", AccessModes = { claim.Spec?.AccessModes ?? [] } };
            if (claim.Spec?.Resources?.Requests.GetValueOrDefault("storage") is { Length: > 0 } storage)
            {
                bound.Status.Capacity["storage"] = storage;
            }

            try
            {
                await _claims.UpdateStatusAsync(bound, cancellationToken);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Aborted or StatusCode.NotFound)
            {
                // Someone else changed it; the next sync looks again.
            }
        }

        return path;
    }

    private static async Task<T?> GetAsync<T>(
        ResourceClient<T> resources, string ns, string name, string kind, string volume, bool optional, CancellationToken cancellationToken)
        where T : class, Google.Protobuf.IMessage<T>, new()
    {
        try
        {
            return await resources.GetAsync(ns, name, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return optional ? null : throw new VolumeException($"MountVolume.SetUp failed for volume \"{volume}\" : {kind} \"{name}\" not found");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not running as root: {Volume} is kept in a plain directory on disk, not in memory (tmpfs needs root)")]
    private static partial void LogNoTmpfs(ILogger logger, string volume);

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote {Files} file(s) of volume {Volume} of pod {Namespace}/{Name}")]
    private static partial void LogVolumeWritten(ILogger logger, string @namespace, string name, string volume, int files);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh volume {Volume} of pod {Namespace}/{Name}; keeping its contents: {Detail}")]
    private static partial void LogRefreshFailed(ILogger logger, string @namespace, string name, string volume, string detail);
}
