using KubeMesh.Api.Resources;

namespace KubeMesh.ApiServer.Metrics;

/// <summary>A gRPC method in kube-apiserver's metric terms: verb (GET, LIST, POST, PUT, DELETE, WATCH, CONNECT), resource, subresource.</summary>
public sealed record ApiRequest(string Verb, string Resource, string Subresource)
{
    private static readonly Dictionary<string, string> ResourceByService = ResourceKinds.All
        .GroupBy(k => k.Service.FullName)
        .ToDictionary(g => g.Key, g => g.First().Plural, StringComparer.Ordinal);

    /// <summary>True for calls that stay open (watch, logs, exec), which latency figures leave out as kube-apiserver's SLO does.</summary>
    public bool LongRunning => Verb is "WATCH" or "CONNECT";

    /// <summary>"/kubemesh.core.v1.PodService/UpdateStatus" is PUT pods status.</summary>
    public static ApiRequest Parse(string method)
    {
        var parts = method.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var service = parts.Length > 0 ? parts[0] : "";
        var name = parts.Length > 1 ? parts[1] : "";
        var resource = ResourceByService.GetValueOrDefault(service) ?? service[(service.LastIndexOf('.') + 1)..];
        var (verb, subresource) = name switch
        {
            "Create" => ("POST", ""),
            "Get" => ("GET", ""),
            "List" => ("LIST", ""),
            "Update" => ("PUT", ""),
            "UpdateStatus" => ("PUT", "status"),
            "Delete" => ("DELETE", ""),
            "Watch" => ("WATCH", ""),
            "Bind" => ("POST", "binding"),
            "GetLogs" => ("CONNECT", "log"),
            "Exec" => ("CONNECT", "exec"),
            _ => ("POST", name.ToLowerInvariant()),
        };
        return new ApiRequest(verb, resource, subresource);
    }
}
