using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KubeMesh.Client;

/// <summary>
/// The api-server's address as configured: one URL, or the URLs of every replica separated by commas. Several
/// addresses become one channel balanced on the client (grpc-dotnet's static resolver and round_robin policy).
/// </summary>
public static class ApiServerAddresses
{
    /// <exception cref="FormatException">An address that is not http://host:port (or host:port).</exception>
    public static IReadOnlyList<Uri> Parse(string address)
    {
        var parts = address.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            throw new FormatException("the api-server address is empty");
        }

        return parts.Select(part =>
        {
            var text = part.Contains("://", StringComparison.Ordinal) ? part : "http://" + part;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Port <= 0)
            {
                throw new FormatException($"invalid api-server address \"{part}\": expected http://host:port");
            }

            return uri;
        }).ToArray();
    }

    /// <summary>
    /// One channel over every replica: round_robin over those whose connection is up, and a retry policy that sends a
    /// call refused with UNAVAILABLE (its replica just went away, or its store is restarting) to another attempt, and
    /// one refused with RESOURCE_EXHAUSTED (the replica's max-inflight limit: 429, which client-go retries after its
    /// Retry-After) after the server's retry pushback. Only calls that failed that way are retried; a write the server
    /// may have applied comes back as AlreadyExists or a conflict on the retry, as with any client-go retry.
    /// </summary>
    public static GrpcChannel BalancedChannel(IReadOnlyList<Uri> addresses, GrpcChannelOptions options)
    {
        if (addresses.Select(a => a.Scheme).Distinct().Count() > 1)
        {
            throw new FormatException("api-server replicas must all be http or all https");
        }

        // grpc-dotnet's subchannel gives its whole reconnect loop (attempts and back-off together) the handler's
        // ConnectTimeout: once that passes while the replicas refuse, the subchannel stays in TransientFailure and never
        // tries again (grpc/grpc-dotnet#2734), so a client started more than that before the api-server listens, or
        // whose replicas were all down that long, fails every call for good. Each attempt is bounded by the kernel
        // instead (a refused connect fails at once), and the back-off above keeps retrying.
        if (options.HttpHandler is SocketsHttpHandler handler)
        {
            handler.ConnectTimeout = Timeout.InfiniteTimeSpan;
        }

        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => addresses.Select(a => new BalancerAddress(a.Host, a.Port)).ToArray()));
        options.ServiceProvider = services.BuildServiceProvider();
        options.Credentials ??= addresses[0].Scheme == "https" ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
        options.ServiceConfig = new ServiceConfig
        {
            LoadBalancingConfigs = { new RoundRobinConfig() },
            MethodConfigs =
            {
                new MethodConfig
                {
                    Names = { MethodName.Default },
                    RetryPolicy = new RetryPolicy
                    {
                        MaxAttempts = 4,
                        InitialBackoff = TimeSpan.FromMilliseconds(200),
                        MaxBackoff = TimeSpan.FromSeconds(2),
                        BackoffMultiplier = 2,
                        RetryableStatusCodes = { StatusCode.Unavailable, StatusCode.ResourceExhausted },
                    },
                },
            },
        };
        return GrpcChannel.ForAddress("static:///kube-apiserver", options);
    }
}
