using KubeMesh.Api.Core.V1;
using KubeMesh.ApiServer.Services;
using Microsoft.AspNetCore.Http;

namespace KubeMesh.ApiServer.Rest.Handlers;

/// <summary>
/// POST serviceaccounts/NAME/token with an authentication.k8s.io/v1 TokenRequest (what `kubectl create token` and
/// the kubelet send): the same issue as the gRPC ServiceAccountService/CreateToken, answered 201 with the
/// TokenRequest and its status.token.
/// </summary>
public sealed class TokenRequestHandler(ServiceAccountTokenApi tokens)
{
    private const string ApiVersion = "authentication.k8s.io/v1";

    public async Task CreateAsync(HttpContext context, ResourceRequest request)
    {
        var options = RequestOptions.From(context.Request);
        var tokenRequest = await RequestBodies.ReadSubresourceAsync<TokenRequest>(context, TokenRequest.Descriptor, ApiVersion, "TokenRequest", options.FieldValidation);

        var meta = tokenRequest.Metadata ??= new();
        if (meta.Name.Length > 0 && meta.Name != request.Name)
        {
            throw RestException.BadRequest($"the name of the TokenRequest ({meta.Name}) does not match the service account's name ({request.Name})");
        }

        meta.Name = request.Name;
        meta.Namespace = request.Namespace;
        var issued = await tokens.CreateTokenAsync(tokenRequest);
        await RestResponses.WriteAsync(context, 201, RestObjects.Encode(issued));
    }
}
