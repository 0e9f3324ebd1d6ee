using Grpc.Core;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Networking.V1;
using KubeMesh.Client;

namespace KubeMesh.CertificateController.Controllers.IngressShim;

/// <summary>
/// cert-manager's ingress-shim: an Ingress annotated with cert-manager.io/issuer or cert-manager.io/cluster-issuer
/// gets a Certificate per tls entry, owned by the Ingress (so deleting the Ingress deletes them), kept in line with
/// its hosts and annotations; a Certificate it owns that no tls entry asks for any more is deleted. A Certificate of
/// the same name that the Ingress does not own is left alone. The api-server refuses what is invalid in the
/// resulting spec; that refusal becomes a BadConfig event on the Ingress.
/// </summary>
internal sealed class IngressShimController : Controller
{
    private readonly Lister<Ingress> _ingresses;
    private readonly Lister<Certificate> _certificates;
    private readonly ResourceClient<Certificate> _client;

    public IngressShimController(ControllerContext context)
        : base(context, "ingress-shim", defaultWorkers: 2)
    {
        _client = context.Client.For<Certificate>();
        var ingresses = context.Informers.GetInformer<Ingress>();
        var certificates = context.Informers.GetInformer<Certificate>();
        _ingresses = ingresses.Lister;
        _certificates = certificates.Lister;
        ingresses.AddEventHandler(onAdd: i => Enqueue(i.Metadata), onUpdate: (_, i) => Enqueue(i.Metadata));
        certificates.AddEventHandler(onUpdate: (_, c) => OwnerChanged(c), onDelete: OwnerChanged);
    }

    protected override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = MetaNamespaceKey.Split(key);
        if (_ingresses.Get(ns, name) is not { } ingress || ingress.Metadata.DeletionTimestamp is not null)
        {
            return;
        }

        var issuer = IngressCertificates.IssuerOf(ingress, Context.Options, out var error);
        if (error is not null)
        {
            Recorder.Event(ingress, EventTypes.Warning, "BadConfig", $"Could not determine issuer for ingress due to bad annotations: {error}");
            return;
        }

        var owned = _certificates.List(ns).Where(c => OwnerReferences.IsControlledBy(c.Metadata, ingress.Metadata)).ToList();
        var problems = new List<string>();
        var wanted = issuer is null ? [] : IngressCertificates.Build(ingress, issuer, problems);
        problems.ForEach(p => Recorder.Event(ingress, EventTypes.Warning, "BadConfig", p));
        foreach (var certificate in wanted)
        {
            await ApplyAsync(ingress, certificate, cancellationToken).ConfigureAwait(false);
        }

        // Only an ingress that still names an issuer cleans up: dropping the annotation leaves the Certificates be.
        if (issuer is not null)
        {
            foreach (var unwanted in owned.Where(c => wanted.All(w => w.Metadata.Name != c.Metadata.Name)))
            {
                await DeleteAsync(ingress, unwanted, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ApplyAsync(Ingress ingress, Certificate wanted, CancellationToken cancellationToken)
    {
        var existing = _certificates.Get(wanted.Metadata.Namespace, wanted.Metadata.Name);
        try
        {
            if (existing is null)
            {
                await _client.CreateAsync(wanted, cancellationToken).ConfigureAwait(false);
                Recorder.Event(ingress, EventTypes.Normal, "CreateCertificate", $"Successfully created Certificate \"{wanted.Metadata.Name}\"");
                return;
            }

            if (!OwnerReferences.IsControlledBy(existing.Metadata, ingress.Metadata))
            {
                return;
            }

            if (existing.Spec.Equals(wanted.Spec) && existing.Metadata.Labels.Equals(wanted.Metadata.Labels) && Annotations(existing).SequenceEqual(Annotations(wanted)))
            {
                return;
            }

            var updated = existing.Clone();
            updated.Spec = wanted.Spec;
            updated.Metadata.Labels.Clear();
            updated.Metadata.Labels.Add(wanted.Metadata.Labels);
            foreach (var name in new[] { CertManagerNames.Http01IngressNameOverride, CertManagerNames.Http01IngressClassOverride })
            {
                updated.Metadata.Annotations.Remove(name);
                if (wanted.Metadata.Annotations.TryGetValue(name, out var value))
                {
                    updated.Metadata.Annotations[name] = value;
                }
            }

            await _client.UpdateAsync(updated, cancellationToken).ConfigureAwait(false);
            Recorder.Event(ingress, EventTypes.Normal, "UpdateCertificate", $"Successfully updated Certificate \"{wanted.Metadata.Name}\"");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            Recorder.Event(ingress, EventTypes.Warning, "BadConfig", $"Certificate \"{wanted.Metadata.Name}\" was refused: {e.Status.Detail}");
        }
    }

    private static IEnumerable<KeyValuePair<string, string>> Annotations(Certificate certificate) =>
        certificate.Metadata.Annotations
            .Where(a => a.Key is CertManagerNames.Http01IngressNameOverride or CertManagerNames.Http01IngressClassOverride)
            .OrderBy(a => a.Key, StringComparer.Ordinal);

    private async Task DeleteAsync(Ingress ingress, Certificate certificate, CancellationToken cancellationToken)
    {
        if (await _client.DeleteIfExistsAsync(certificate.Metadata.Namespace, certificate.Metadata.Name, cancellationToken).ConfigureAwait(false))
        {
            Recorder.Event(ingress, EventTypes.Normal, "DeleteCertificate", $"Successfully deleted unrequired Certificate \"{certificate.Metadata.Name}\"");
        }
    }

    private void OwnerChanged(Certificate certificate)
    {
        if (OwnerReferences.ControllerOf(certificate.Metadata) is { Kind: "Ingress" } owner)
        {
            Queue.Add(MetaNamespaceKey.For(certificate.Metadata.Namespace, owner.Name));
        }
    }
}
