using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using KubeMesh.Api.Acme.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.CertificateController.Pki;
using KubeMesh.Client;
using CertificateRequest = KubeMesh.Api.CertManager.V1.CertificateRequest;

namespace KubeMesh.CertificateController.Controllers.CertificateRequests;

/// <summary>
/// cert-manager's acme request controller: a request to an ACME issuer becomes an Order (named after the request
/// and a hash of the order's spec) and is issued with the chain the Order downloads.
/// </summary>
internal sealed class AcmeRequestSigner(ControllerContext context)
{
    private readonly Lister<Order> _orders = context.Informers.GetLister<Order>();
    private readonly ResourceClient<Order> _orderClient = context.Client.For<Order>();

    public async Task<SigningResult> SignAsync(CertificateRequest request, EventRecorder recorder, CancellationToken cancellationToken)
    {
        OrderSpec spec;
        try
        {
            spec = OrderSpecFor(request);
        }
        catch (CryptographicException e)
        {
            return SigningResult.Fail("Failed to decode CSR in spec.request: " + e.Message, "RequestParsingError");
        }

        var name = OrderName(request, spec);
        var ns = request.Metadata.Namespace;
        var order = _orders.Get(ns, name);
        if (order is null)
        {
            var created = new Order
            {
                Metadata = new ObjectMeta
                {
                    Name = name,
                    Namespace = ns,
                    OwnerReferences = { OwnerReferences.NewControllerRef(request.Metadata, ResourceKinds.CertificateRequest) },
                },
                Spec = spec,
            };
            created.Metadata.Labels.Add(request.Metadata.Labels);
            created.Metadata.Annotations.Add(request.Metadata.Annotations);
            try
            {
                await _orderClient.CreateAsync(created, cancellationToken).ConfigureAwait(false);
                recorder.Event(request, "Normal", "OrderCreated", $"Created Order resource {ns}/{name}");
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
            }

            return SigningResult.Wait($"Waiting on certificate issuance from order {ns}/{name}: \"\"");
        }

        var state = order.Status?.State ?? "";
        switch (state)
        {
            case "valid" when order.Status!.Certificate.Length > 0:
                return SigningResult.Done(order.Status.Certificate, null);
            case "invalid" or "errored" or "expired":
                return SigningResult.Fail($"Failed to wait for order resource \"{name}\" to become ready: order is in \"{state}\" state: {order.Status!.Reason}", "OrderFailed");
            default:
                return SigningResult.Wait($"Waiting on certificate issuance from order {ns}/{name}: \"{state}\"");
        }
    }

    /// <summary>The names to order: the CSR's DNS names and IP addresses, and its common name among them.</summary>
    private static OrderSpec OrderSpecFor(CertificateRequest request)
    {
        var csr = CertificateSigner.LoadCsr(request.Spec.Request.ToStringUtf8());
        var names = csr.CertificateExtensions.Where(e => e.Oid?.Value == "2.5.29.17")
            .Select(e => new X509SubjectAlternativeNameExtension(e.RawData, e.Critical)).FirstOrDefault();
        var commonName = csr.SubjectName.EnumerateRelativeDistinguishedNames()
            .FirstOrDefault(n => n.GetSingleElementType().Value == "2.5.4.3")?.GetSingleElementValue() ?? "";
        var spec = new OrderSpec
        {
            Request = request.Spec.Request,
            IssuerRef = request.Spec.IssuerRef.Clone(),
            CommonName = commonName,
            Duration = request.Spec.Duration,
        };
        var dnsNames = (names?.EnumerateDnsNames() ?? []).ToList();
        if (commonName.Length > 0 && !dnsNames.Contains(commonName, StringComparer.OrdinalIgnoreCase) && System.Net.IPAddress.TryParse(commonName, out _) is false)
        {
            dnsNames.Add(commonName);
        }

        spec.DnsNames.Add(dnsNames);
        spec.IpAddresses.Add((names?.EnumerateIPAddresses() ?? []).Select(ip => ip.ToString()));
        return spec;
    }

    private static string OrderName(CertificateRequest request, OrderSpec spec)
    {
        var hash = (uint)Adler32.Checksum(spec.ToByteArray());
        var prefix = request.Metadata.Name.Length > 52 ? request.Metadata.Name[..52] : request.Metadata.Name;
        return $"{prefix}-{hash}";
    }
}
