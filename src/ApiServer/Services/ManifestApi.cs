using Grpc.Core;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.ApiServer.Registry;

namespace KubeMesh.ApiServer.Services;

public sealed class ManifestApi(ManifestApplier applier) : ManifestService.ManifestServiceBase
{
    public override Task<ApplyResponse> Apply(ApplyRequest request, ServerCallContext context) => applier.ApplyAsync(request);
}
