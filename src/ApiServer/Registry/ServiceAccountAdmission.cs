using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Authentication.ServiceAccounts;
using KubeMesh.ApiServer.Services;

namespace KubeMesh.ApiServer.Registry;

/// <summary>
/// kube-apiserver's ServiceAccount admission plugin, on pod creation: an empty spec.serviceAccountName becomes
/// "default"; the account must exist; and unless the pod or the account sets automountServiceAccountToken false,
/// the pod gets the projected volume kube-api-access-XXXXX (a token bound to the pod, the cluster CA from the
/// kube-root-ca.crt ConfigMap, the namespace) mounted read-only in every container at
/// /var/run/secrets/kubernetes.io/serviceaccount. It runs only where the api-server signs service-account tokens.
/// </summary>
public sealed class ServiceAccountAdmission(RegistryStore objects, IEnumerable<ServiceAccountTokens> signers)
{
    public const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    public const string VolumePrefix = "kube-api-access-";
    public const string RootCaConfigMap = "kube-root-ca.crt";
    private const string MirrorPodAnnotation = "kubernetes.io/config.mirror";
    private const long TokenSeconds = 3607; // As kube-apiserver's plugin: an hour and a little, so it is told apart.
    private readonly bool _enabled = signers.Any();

    /// <exception cref="ApiException">Forbidden: the pod names a ServiceAccount that does not exist.</exception>
    public async Task AdmitAsync(Pod pod)
    {
        if (!_enabled || pod.Metadata.Annotations.ContainsKey(MirrorPodAnnotation))
        {
            return;
        }

        var spec = pod.Spec ??= new PodSpec();
        var name = ServiceAccountTokenApi.PodServiceAccount(pod);
        spec.ServiceAccountName = name;
        spec.ServiceAccount = name;
        ServiceAccount account;
        try
        {
            account = (ServiceAccount)await objects.GetAsync(ResourceKinds.ServiceAccount, ObjectKey.Of(ResourceKinds.ServiceAccount, pod.Metadata.Namespace, name));
        }
        catch (ApiException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
        {
            throw ApiErrors.Forbidden(
                $"pods \"{pod.Metadata.Name}\" is forbidden: spec.serviceAccountName: serviceaccount \"{name}\" not found in namespace \"{pod.Metadata.Namespace}\"");
        }

        var automount = spec.HasAutomountServiceAccountToken ? spec.AutomountServiceAccountToken
            : !account.HasAutomountServiceAccountToken || account.AutomountServiceAccountToken;
        var containers = spec.InitContainers.Concat(spec.Containers).ToList();
        if (!automount || containers.Any(c => c.VolumeMounts.Any(m => m.MountPath.TrimEnd('/') == MountPath)))
        {
            return;
        }

        var volume = VolumePrefix + ResourceRegistry.RandomSuffix();
        spec.Volumes.Add(ApiAccessVolume(volume));
        foreach (var container in containers)
        {
            container.VolumeMounts.Add(new VolumeMount { Name = volume, MountPath = MountPath, ReadOnly = true });
        }
    }

    private static Volume ApiAccessVolume(string name) => new()
    {
        Name = name,
        Projected = new ProjectedVolumeSource
        {
            DefaultMode = 420,
            Sources =
            {
                new VolumeProjection { ServiceAccountToken = new ServiceAccountTokenProjection { ExpirationSeconds = TokenSeconds, Path = "token" } },
                new VolumeProjection { ConfigMap = new ConfigMapProjection { Name = RootCaConfigMap, Items = { new KeyToPath { Key = "ca.crt", Path = "ca.crt" } } } },
                new VolumeProjection
                {
                    DownwardApi = new DownwardAPIProjection
                    {
                        Items = { new DownwardAPIVolumeFile { Path = "namespace", FieldRef = new ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.namespace" } } },
                    },
                },
            },
        },
    };
}
