using KubeMesh.ApiServer.Rest;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace KubeMesh.ApiServer.Tests.Rest;

/// <summary>Paths and methods to verbs and resources, as kube-apiserver's RequestInfoFactory reads them.</summary>
public sealed class RequestInfoResolverTests
{
    [Theory]
    [InlineData("GET", "/api/v1/namespaces/default/pods", "", "list", "", "v1", "default", "pods", "", "")]
    [InlineData("GET", "/api/v1/namespaces/default/pods", "watch=true", "watch", "", "v1", "default", "pods", "", "")]
    [InlineData("GET", "/api/v1/pods", "", "list", "", "v1", "", "pods", "", "")]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web/log", "", "get", "", "v1", "default", "pods", "web", "log")]
    [InlineData("POST", "/api/v1/namespaces/default/pods", "", "create", "", "v1", "default", "pods", "", "")]
    [InlineData("PUT", "/apis/apps/v1/namespaces/ns/deployments/d/scale", "", "update", "apps", "v1", "ns", "deployments", "d", "scale")]
    [InlineData("PATCH", "/apis/apps/v1/namespaces/ns/deployments/d", "", "patch", "apps", "v1", "ns", "deployments", "d", "")]
    [InlineData("DELETE", "/api/v1/namespaces/ns/configmaps", "", "deletecollection", "", "v1", "ns", "configmaps", "", "")]
    [InlineData("DELETE", "/api/v1/namespaces/ns/configmaps/c", "", "delete", "", "v1", "ns", "configmaps", "c", "")]
    [InlineData("GET", "/api/v1/namespaces/ns", "", "get", "", "v1", "ns", "namespaces", "ns", "")]
    [InlineData("PUT", "/api/v1/namespaces/ns/status", "", "update", "", "v1", "ns", "namespaces", "ns", "status")]
    [InlineData("GET", "/api/v1/nodes/node-1", "", "get", "", "v1", "", "nodes", "node-1", "")]
    public void Resolve_ResourcePath_GivesVerbGroupVersionNamespaceResourceNameAndSubresource(
        string method, string path, string query, string verb, string group, string version, string ns, string resource, string name, string subresource)
    {
        var info = RequestInfoResolver.Resolve(method, path, new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query)));

        Assert.True(info.IsResourceRequest);
        Assert.Equal((verb, group, version, ns, resource, name, subresource), (info.Verb, info.ApiGroup, info.ApiVersion, info.Namespace, info.Resource, info.Name, info.Subresource));
    }

    [Theory]
    [InlineData("/version")]
    [InlineData("/api")]
    [InlineData("/apis")]
    [InlineData("/api/v1")]
    [InlineData("/apis/apps")]
    [InlineData("/apis/apps/v1")]
    [InlineData("/openapi/v3/apis/apps/v1")]
    [InlineData("/api//v1/pods")]
    public void Resolve_NonResourcePath_IsNoResourceRequest(string path)
    {
        var info = RequestInfoResolver.Resolve("GET", path, new QueryCollection(new Dictionary<string, StringValues>()));

        Assert.False(info.IsResourceRequest);
        Assert.Equal("get", info.Verb);
    }
}
