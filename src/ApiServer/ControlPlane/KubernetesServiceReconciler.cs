using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry;
using KubeMesh.ApiServer.Registry.Allocation;
using KubeMesh.ApiServer.Registry.Deletion;
using KubeMesh.ApiServer.Rest;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KubeMesh.ApiServer.ControlPlane;

/// <summary>
/// What kube-apiserver's "kubernetes" service controller and its lease endpoint reconciler do: the Service
/// default/kubernetes (port 443, named https, at the first address of the service range) points at every live
/// replica. Each replica renews a Lease kube-system/apiserver-HASH that carries its advertised address, and writes the
/// Endpoints default/kubernetes as the addresses of the leases not yet expired, so a replica that dies drops out
/// within the lease's TTL and one that stops cleanly takes itself out at once. Pods reach the API as
/// https://kubernetes.default.svc (KUBERNETES_SERVICE_HOST in their environment) with their service account token.
/// </summary>
public sealed partial class KubernetesServiceReconciler(
    ResourceRegistry registry,
    ResourceDeleter deleter,
    ServiceAllocators allocators,
    IOptions<KubernetesServiceOptions> options,
    IConfiguration configuration,
    TimeProvider clock,
    ILogger<KubernetesServiceReconciler> logger) : BackgroundService
{
    public const string ServiceName = "kubernetes";
    public const string ServiceNamespace = "default";
    public const string PortName = "https";
    public const int ServicePort = 443;
    public const string LeaseNamespace = "kube-system";
    public const string IdentityLabel = "apiserver.kubernetes.io/identity";
    public const string IdentityValue = "kube-apiserver";
    public const string AddressAnnotation = "kubemesh.io/advertise-address";

    private readonly KubernetesServiceOptions _options = options.Value.EndpointReconcilerType is "lease" or "none"
        ? options.Value
        : throw new InvalidOperationException($"{KubernetesServiceOptions.Section}:EndpointReconcilerType: Unsupported value: \"{options.Value.EndpointReconcilerType}\": supported values: \"lease\", \"none\"");

    /// <summary>This replica's advertised endpoint, or null when it serves no Kubernetes REST API.</summary>
    public IPEndPoint? Advertised { get; } = AdvertisedEndpoint(options.Value, configuration);

    /// <summary>The name of this replica's lease: apiserver- and a hash of its address, as kube-apiserver names its identity lease.</summary>
    public string? LeaseName => Advertised is { } endpoint ? LeaseNameOf(endpoint) : null;

    public static string LeaseNameOf(IPEndPoint endpoint) =>
        "apiserver-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(endpoint.ToString())))[..26];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.EndpointReconcilerType == "none")
        {
            return;
        }

        if (Advertised is null)
        {
            LogNotPublished(logger);
            return;
        }

        using var timer = new PeriodicTimer(_options.EndpointReconcileInterval, clock);
        do
        {
            try
            {
                await EnsureServiceAsync();
                await RenewLeaseAsync(Advertised);
                await ReconcileEndpointsAsync(Advertised, excludeSelf: false);
            }
            catch (Exception ex) when (Transient(ex))
            {
                // The store or a racing replica; the next tick tries again.
                LogRetry(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (Advertised is null || _options.EndpointReconcilerType != "lease")
        {
            return;
        }

        // A clean stop leaves the endpoints at once, as kube-apiserver's RemoveEndpoints does on shutdown.
        try
        {
            await ReconcileEndpointsAsync(Advertised, excludeSelf: true).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            await deleter.DeleteAsync(ResourceKinds.Lease, new DeleteRequest { Namespace = LeaseNamespace, Name = LeaseNameOf(Advertised) })
                .WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (Exception ex) when (Transient(ex) || ex is RpcException { StatusCode: StatusCode.NotFound } or OperationCanceledException)
        {
            LogLeaveFailed(logger, ex.Message);
        }
    }

    /// <summary>Creates default/kubernetes at the service range's first address if it is missing; a Service someone changed is left as it is.</summary>
    public async Task EnsureServiceAsync()
    {
        try
        {
            await registry.GetAsync(ResourceKinds.Service, ServiceNamespace, ServiceName);
            return;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
        }

        var first = allocators.ClusterIps.Range.ItemAt(0);
        try
        {
            await registry.CreateAsync(ResourceKinds.Service, NewService(first));
            LogServiceCreated(logger, first);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            // The first address went to another Service (a store from before this controller): take any.
            LogFirstAddressTaken(logger, first, e.Status.Detail);
            try
            {
                await registry.CreateAsync(ResourceKinds.Service, NewService(""));
            }
            catch (RpcException again) when (again.StatusCode == StatusCode.AlreadyExists)
            {
            }
        }
    }

    private Service NewService(string clusterIp) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new ObjectMeta
        {
            Namespace = ServiceNamespace,
            Name = ServiceName,
            Labels = { ["component"] = "apiserver", ["provider"] = "kubernetes" },
        },
        Spec = new ServiceSpec
        {
            Type = "ClusterIP",
            ClusterIp = clusterIp,
            SessionAffinity = "None",
            Ports = { new ServicePort { Name = PortName, Protocol = "TCP", Port = ServicePort, TargetPort = Value.ForNumber(Advertised!.Port) } },
        },
    };

    private async Task RenewLeaseAsync(IPEndPoint self)
    {
        var name = LeaseNameOf(self);
        var now = Timestamp.FromDateTimeOffset(clock.GetUtcNow());
        var seconds = (int)Math.Ceiling(_options.EndpointLeaseTtl.TotalSeconds);
        Lease lease;
        try
        {
            lease = (Lease)await registry.GetAsync(ResourceKinds.Lease, LeaseNamespace, name);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            try
            {
                await registry.CreateAsync(ResourceKinds.Lease, new Lease
                {
                    ApiVersion = "coordination.k8s.io/v1",
                    Kind = "Lease",
                    Metadata = new ObjectMeta
                    {
                        Namespace = LeaseNamespace,
                        Name = name,
                        Labels = { [IdentityLabel] = IdentityValue },
                        Annotations = { [AddressAnnotation] = self.ToString() },
                    },
                    Spec = new LeaseSpec { HolderIdentity = $"{name}_{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}", LeaseDurationSeconds = seconds, RenewTime = now },
                });
                return;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
            {
                lease = (Lease)await registry.GetAsync(ResourceKinds.Lease, LeaseNamespace, name);
            }
        }

        lease.Spec ??= new LeaseSpec();
        lease.Spec.RenewTime = now;
        lease.Spec.LeaseDurationSeconds = seconds;
        lease.Metadata.Annotations[AddressAnnotation] = self.ToString();
        lease.Metadata.Labels[IdentityLabel] = IdentityValue;
        await registry.UpdateAsync(ResourceKinds.Lease, lease);
    }

    /// <summary>Writes default/kubernetes's Endpoints as the live replicas' addresses, when they differ from what is stored.</summary>
    public async Task ReconcileEndpointsAsync(IPEndPoint self, bool excludeSelf)
    {
        var (leases, _) = await registry.ListAsync(ResourceKinds.Lease, ObjectFilter.From(ResourceKinds.Lease,
            new ListRequest { Namespace = LeaseNamespace, LabelSelector = $"{IdentityLabel}={IdentityValue}" }));
        var now = clock.GetUtcNow();
        var live = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Lease lease in leases)
        {
            if (lease.Spec?.RenewTime is { } renewed && renewed.ToDateTimeOffset().AddSeconds(lease.Spec.LeaseDurationSeconds) > now
                && lease.Metadata.Annotations.TryGetValue(AddressAnnotation, out var text) && IPEndPoint.TryParse(text, out var endpoint))
            {
                live.Add(endpoint.ToString());
            }
        }

        if (excludeSelf)
        {
            live.Remove(self.ToString());
        }
        else
        {
            live.Add(self.ToString());
        }

        var subsets = Subsets(live);
        Endpoints? current = null;
        try
        {
            current = (Endpoints)await registry.GetAsync(ResourceKinds.Endpoints, ServiceNamespace, ServiceName);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
        }

        if (current is null)
        {
            if (live.Count > 0)
            {
                await registry.CreateAsync(ResourceKinds.Endpoints, new Endpoints
                {
                    ApiVersion = "v1",
                    Kind = "Endpoints",
                    Metadata = new ObjectMeta { Namespace = ServiceNamespace, Name = ServiceName, Labels = { ["endpointslice.kubernetes.io/skip-mirror"] = "true" } },
                    Subsets = { subsets },
                });
            }

            return;
        }

        if (!current.Subsets.SequenceEqual(subsets))
        {
            current.Subsets.Clear();
            current.Subsets.Add(subsets);
            await registry.UpdateAsync(ResourceKinds.Endpoints, current);
            LogEndpoints(logger, string.Join(", ", live));
        }
    }

    /// <summary>
    /// One subset per port: the replicas here share an address and differ by port, where kube-apiserver's share a port
    /// and differ by address.
    /// </summary>
    private static List<EndpointSubset> Subsets(IEnumerable<string> live) =>
        live.Select(IPEndPoint.Parse)
            .GroupBy(e => e.Port)
            .OrderBy(g => g.Key)
            .Select(g => new EndpointSubset
            {
                Addresses = { g.Select(e => e.Address.ToString()).Order(StringComparer.Ordinal).Select(ip => new EndpointAddress { Ip = ip }) },
                Ports = { new EndpointPort { Name = PortName, Port = g.Key, Protocol = "TCP" } },
            })
            .ToList();

    private static IPEndPoint? AdvertisedEndpoint(KubernetesServiceOptions options, IConfiguration configuration)
    {
        if (options.AdvertiseAddress.Length > 0)
        {
            return IPEndPoint.TryParse(options.AdvertiseAddress, out var given) && given.Port > 0
                ? given
                : throw new InvalidOperationException($"{KubernetesServiceOptions.Section}:AdvertiseAddress: Invalid value: \"{options.AdvertiseAddress}\": must be IP:port");
        }

        if (RestApiServiceCollectionExtensions.Endpoint(configuration) is not { } url)
        {
            return null;
        }

        var host = url.Host.Trim('[', ']');
        return new IPEndPoint(IPAddress.TryParse(host, out var ip) && !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any) ? ip : IPAddress.Loopback, url.Port);
    }

    private static bool Transient(Exception ex) =>
        ex is RedisException or TimeoutException
        || ex is RpcException { StatusCode: StatusCode.Unavailable or StatusCode.Aborted or StatusCode.AlreadyExists or StatusCode.NotFound or StatusCode.DeadlineExceeded };

    [LoggerMessage(Level = LogLevel.Information, Message = "No Kubernetes REST endpoint and no ApiServer:AdvertiseAddress: this replica is not published in default/kubernetes")]
    private static partial void LogNotPublished(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the Service default/kubernetes at {ClusterIp}")]
    private static partial void LogServiceCreated(ILogger logger, string clusterIp);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The first service address {ClusterIp} is taken; default/kubernetes gets another, which the serving certificate does not name: {Reason}")]
    private static partial void LogFirstAddressTaken(ILogger logger, string clusterIp, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "default/kubernetes now points at {Endpoints}")]
    private static partial void LogEndpoints(ILogger logger, string endpoints);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reconciling default/kubernetes again at the next interval: {Reason}")]
    private static partial void LogRetry(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not leave default/kubernetes's endpoints on the way down; the lease expires instead: {Reason}")]
    private static partial void LogLeaveFailed(ILogger logger, string reason);
}
