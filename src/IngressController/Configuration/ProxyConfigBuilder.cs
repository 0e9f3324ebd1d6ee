using KubeMesh.IngressController.Auth;
using KubeMesh.IngressController.Tls;
using Microsoft.Extensions.Options;

namespace KubeMesh.IngressController.Configuration;

/// <summary>
/// Merges every ingress of the class into one YARP configuration, as ingress-nginx merges them into one
/// nginx.conf: rules (<see cref="IngressRuleCollector"/>), then TLS (<see cref="IngressTls"/>), then routes,
/// clusters and their policies with basic auth (<see cref="IngressRoutes"/>, <see cref="BasicAuthSet"/>). Keeps
/// nothing between builds: what a build may reuse from the one before (parsed certificates, authenticators that
/// remember verified headers) is handed in with the previous configuration, which the caller owns.
/// </summary>
internal sealed class ProxyConfigBuilder(IOptions<IngressControllerOptions> options)
{
    public IngressConfiguration Build(IngressState state, IngressConfiguration previous)
    {
        var className = options.Value.ClassName;
        var ingresses = state.Ingresses
            .Where(i => i.Metadata is not null && IngressClass.IsHandled(i, className))
            .OrderBy(i => i.Metadata.CreationTimestamp?.ToDateTimeOffset() ?? DateTimeOffset.MinValue)
            .ThenBy(i => i.Metadata.Namespace, StringComparer.Ordinal)
            .ThenBy(i => i.Metadata.Name, StringComparer.Ordinal)
            .ToList();
        var context = new BuildContext(state, GlobalSettings.From(state.ConfigMap));

        var tls = IngressTls.Build(ingresses, context, previous.TlsSecrets);
        var rules = IngressRuleCollector.Collect(ingresses, context);
        var auth = new BasicAuthSet(previous.Authenticators);
        var routes = IngressRoutes.Build(rules, context, tls.Hosts, auth);
        return new IngressConfiguration(
            routes.Routes, routes.Clusters, routes.Policies, tls.Certificates, context.Referenced, context.Warnings, tls.Secrets, auth.Built);
    }
}
