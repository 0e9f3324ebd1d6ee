using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest;

/// <summary>
/// A step every REST request passes before its handler, in the order registered, with its <see cref="RequestInfo"/>
/// resolved: where authentication and authorization go (kube-apiserver's WithAuthentication, WithAuthorization).
/// Throw an <see cref="Registry.ApiException"/> or <see cref="RestException"/> to refuse the request.
/// </summary>
public interface IRequestFilter
{
    Task ApplyAsync(HttpContext context, RequestInfo info);
}
