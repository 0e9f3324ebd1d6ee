using System.Globalization;
using KubeMesh.Api.Acme.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Networking.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Client;

namespace KubeMesh.CertificateController.Controllers.Challenges;

/// <summary>
/// Presents an HTTP-01 challenge as cert-manager's ingress solver does (pkg/issuer/acme/http): a solver pod serving
/// the key authorization on port 8089, a Service in front of it, and an Ingress routing
/// /.well-known/acme-challenge/TOKEN on the challenge's host to that Service (or that path added to an existing
/// Ingress the solver names). All carry the challenge's domain and token hashes as labels and are owned by it.
/// </summary>
internal sealed class Http01Solver(ControllerContext context)
{
    public const string ChallengePath = "/.well-known/acme-challenge/";
    public const int ListenPort = 8089;
    private static readonly InformerOptions Solvers = new() { LabelSelector = CertManagerNames.SolverLabel + "=true" };

    private readonly Lister<Pod> _pods = context.Informers.GetLister<Pod>(Solvers);
    private readonly Lister<Service> _services = context.Informers.GetLister<Service>(Solvers);
    private readonly Lister<Ingress> _solverIngresses = context.Informers.GetLister<Ingress>(Solvers);
    private readonly Lister<Ingress> _ingresses = context.Informers.GetLister<Ingress>();
    private readonly KubeMeshClient _client = context.Client;

    public static Dictionary<string, string> Labels(Challenge challenge) => new()
    {
        [CertManagerNames.DomainLabel] = Adler32.Checksum(challenge.Spec.DnsName).ToString(CultureInfo.InvariantCulture),
        [CertManagerNames.TokenLabel] = Adler32.Checksum(challenge.Spec.Token).ToString(CultureInfo.InvariantCulture),
        [CertManagerNames.SolverLabel] = "true",
    };

    public async Task PresentAsync(Challenge challenge, CancellationToken cancellationToken)
    {
        var pods = Owned(_pods.List(challenge.Metadata.Namespace), challenge);
        if (pods.Count == 0)
        {
            await _client.For<Pod>().CreateAsync(BuildPod(challenge), cancellationToken).ConfigureAwait(false);
        }

        var services = Owned(_services.List(challenge.Metadata.Namespace), challenge);
        var service = services.FirstOrDefault() ?? await _client.For<Service>().CreateAsync(BuildService(challenge), cancellationToken).ConfigureAwait(false);

        var ingressConfig = challenge.Spec.Solver.Http01.Ingress;
        if (ingressConfig.Name.Length > 0)
        {
            await AddPathToExistingIngressAsync(challenge, ingressConfig.Name, service.Metadata.Name, cancellationToken).ConfigureAwait(false);
        }
        else if (Owned(_solverIngresses.List(challenge.Metadata.Namespace), challenge).Count == 0)
        {
            await _client.For<Ingress>().CreateAsync(BuildIngress(challenge, service.Metadata.Name), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the solver's pod, Service or Ingress still exist.</summary>
    public bool HasResources(Challenge challenge) =>
        Owned(_pods.List(challenge.Metadata.Namespace), challenge).Count > 0
        || Owned(_services.List(challenge.Metadata.Namespace), challenge).Count > 0
        || Owned(_solverIngresses.List(challenge.Metadata.Namespace), challenge).Count > 0;

    public async Task CleanUpAsync(Challenge challenge, CancellationToken cancellationToken)
    {
        var ns = challenge.Metadata.Namespace;
        foreach (var pod in Owned(_pods.List(ns), challenge))
        {
            await DeleteAsync(_client.For<Pod>(), pod.Metadata, cancellationToken).ConfigureAwait(false);
        }

        foreach (var service in Owned(_services.List(ns), challenge))
        {
            await DeleteAsync(_client.For<Service>(), service.Metadata, cancellationToken).ConfigureAwait(false);
        }

        foreach (var ingress in Owned(_solverIngresses.List(ns), challenge))
        {
            await DeleteAsync(_client.For<Ingress>(), ingress.Metadata, cancellationToken).ConfigureAwait(false);
        }

        if (challenge.Spec.Solver?.Http01?.Ingress?.Name is { Length: > 0 } existing)
        {
            await RemovePathFromExistingIngressAsync(challenge, existing, cancellationToken).ConfigureAwait(false);
        }
    }

    private Pod BuildPod(Challenge challenge)
    {
        var config = challenge.Spec.Solver.Http01.Ingress;
        var pod = new Pod
        {
            Metadata = Metadata(challenge),
            Spec = new PodSpec
            {
                RestartPolicy = "OnFailure",
                NodeSelector = { ["kubernetes.io/os"] = "linux" },
                Containers =
                {
                    new Container
                    {
                        Name = "acmesolver",
                        Image = context.Options.AcmeSolverImage,
                        ImagePullPolicy = "IfNotPresent",
                        Args =
                        {
                            $"--listen-port={ListenPort}",
                            $"--domain={challenge.Spec.DnsName}",
                            $"--token={challenge.Spec.Token}",
                            $"--key={challenge.Spec.Key}",
                        },
                        Ports = { new ContainerPort { Name = "http", ContainerPort_ = ListenPort } },
                    },
                },
            },
        };
        pod.Metadata.Annotations["cluster-autoscaler.kubernetes.io/safe-to-evict"] = "true";
        if (config.PodTemplate is { } template)
        {
            pod.Metadata.Labels.Add(template.Metadata?.Labels ?? []);
            pod.Metadata.Annotations.Add(template.Metadata?.Annotations ?? []);
            pod.Spec.NodeSelector.Add(template.Spec?.NodeSelector ?? []);
            pod.Spec.Tolerations.Add(template.Spec?.Tolerations ?? []);
        }

        return pod;
    }

    private static Service BuildService(Challenge challenge)
    {
        var type = challenge.Spec.Solver.Http01.Ingress.ServiceType;
        var service = new Service
        {
            Metadata = Metadata(challenge),
            Spec = new ServiceSpec
            {
                Type = type.Length > 0 ? type : "NodePort",
                Ports = { new ServicePort { Name = "http", Port = ListenPort, TargetPort = new Google.Protobuf.WellKnownTypes.Value { NumberValue = ListenPort } } },
            },
        };
        service.Spec.Selector.Add(Labels(challenge));
        return service;
    }

    private static Ingress BuildIngress(Challenge challenge, string serviceName)
    {
        var config = challenge.Spec.Solver.Http01.Ingress;
        var ingress = new Ingress { Metadata = Metadata(challenge), Spec = new IngressSpec() };
        ingress.Metadata.Annotations["nginx.ingress.kubernetes.io/whitelist-source-range"] = "0.0.0.0/0,::/0";
        if (config.HasClass)
        {
            ingress.Metadata.Annotations["kubernetes.io/ingress.class"] = config.Class;
        }

        if (config.HasIngressClassName)
        {
            ingress.Spec.IngressClassName = config.IngressClassName;
        }

        if (config.IngressTemplate?.Metadata is { } template)
        {
            ingress.Metadata.Labels.Add(template.Labels);
            foreach (var (key, value) in template.Annotations)
            {
                ingress.Metadata.Annotations[key] = value;
            }
        }

        ingress.Spec.Rules.Add(Rule(challenge, serviceName));
        return ingress;
    }

    private static IngressRule Rule(Challenge challenge, string serviceName) => new()
    {
        Host = challenge.Spec.DnsName,
        Http = new HTTPIngressRuleValue
        {
            Paths =
            {
                new HTTPIngressPath
                {
                    Path = ChallengePath + challenge.Spec.Token,
                    PathType = "ImplementationSpecific",
                    Backend = new IngressBackend { Service = new IngressServiceBackend { Name = serviceName, Port = new ServiceBackendPort { Number = ListenPort } } },
                },
            },
        },
    };

    private async Task AddPathToExistingIngressAsync(Challenge challenge, string name, string serviceName, CancellationToken cancellationToken)
    {
        var ingress = _ingresses.Get(challenge.Metadata.Namespace, name)
            ?? throw new InvalidOperationException($"the solver's ingress {challenge.Metadata.Namespace}/{name} does not exist");
        var path = ChallengePath + challenge.Spec.Token;
        if (ingress.Spec.Rules.Any(r => r.Host == challenge.Spec.DnsName && r.Http?.Paths.Any(p => p.Path == path) == true))
        {
            return;
        }

        var updated = ingress.Clone();
        updated.Spec.Rules.Add(Rule(challenge, serviceName));
        await _client.For<Ingress>().UpdateAsync(updated, cancellationToken).ConfigureAwait(false);
    }

    private async Task RemovePathFromExistingIngressAsync(Challenge challenge, string name, CancellationToken cancellationToken)
    {
        if (_ingresses.Get(challenge.Metadata.Namespace, name) is not { } ingress)
        {
            return;
        }

        var path = ChallengePath + challenge.Spec.Token;
        var updated = ingress.Clone();
        var removed = 0;
        for (var i = updated.Spec.Rules.Count - 1; i >= 0; i--)
        {
            if (updated.Spec.Rules[i].Host == challenge.Spec.DnsName && updated.Spec.Rules[i].Http?.Paths is { Count: 1 } paths && paths[0].Path == path)
            {
                updated.Spec.Rules.RemoveAt(i);
                removed++;
            }
        }

        if (removed > 0)
        {
            await _client.For<Ingress>().UpdateAsync(updated, cancellationToken).ConfigureAwait(false);
        }
    }

    private static ObjectMeta Metadata(Challenge challenge)
    {
        var metadata = new ObjectMeta
        {
            GenerateName = "cm-acme-http-solver-",
            Namespace = challenge.Metadata.Namespace,
            OwnerReferences = { OwnerReferences.NewControllerRef(challenge.Metadata, ResourceKinds.Challenge) },
        };
        metadata.Labels.Add(Labels(challenge));
        return metadata;
    }

    private static List<T> Owned<T>(IEnumerable<T> objects, Challenge challenge)
        where T : class, Google.Protobuf.IMessage<T>, new()
    {
        var kind = ResourceKinds.For(new T().Descriptor);
        return objects.Where(o => OwnerReferences.IsControlledBy(kind.Metadata(o), challenge.Metadata) && kind.Metadata(o).DeletionTimestamp is null).ToList();
    }

    private static Task DeleteAsync<T>(ResourceClient<T> client, ObjectMeta metadata, CancellationToken cancellationToken)
        where T : class, Google.Protobuf.IMessage<T>, new() =>
        client.DeleteIfExistsAsync(metadata.Namespace, metadata.Name, cancellationToken);
}
